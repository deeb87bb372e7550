"""File ids are the server's own: a fixed prefix and random hex, never anything the client sent."""

from __future__ import annotations

from vardesk.domain.ids import FILE_CODE_PREFIX, is_file_code, new_file_code, numeric_id
from vardesk.domain.refs import check_code


def test_new_file_codes_are_well_formed_and_do_not_repeat() -> None:
    codes = {new_file_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in codes:
        assert code.startswith(FILE_CODE_PREFIX) and len(code) == len(FILE_CODE_PREFIX) + 20
        assert is_file_code(code) and check_code(code, "file") == code  # a valid OpenCGA-style id
        assert numeric_id(code) is None  # never mistaken for a catalog number


def test_only_the_servers_form_is_a_file_code() -> None:
    code = new_file_code()
    for other in (
        "data:test.vcf",
        "SMITH_JOHN_ACC12345.vcf.gz",
        "file_",
        code.upper(),
        code[:-1],
        code + "0",
        " " + code,
        "file_" + "g" * 20,
        None,
        12,
    ):
        assert not is_file_code(other), other
