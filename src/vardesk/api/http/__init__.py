"""HTTP plumbing every face shares and none owns: the face seam (faces.py), authentication dependency,
error rendering, middleware and the JSON response class."""
