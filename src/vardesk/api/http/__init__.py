"""HTTP plumbing every face shares and none owns: authentication dependency, error rendering, middleware."""
