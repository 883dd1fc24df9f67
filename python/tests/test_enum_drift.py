"""The enumerations of _enums.py against the core's (as pydantic-core checks
its Python enums against its Rust ones): the same members, the same values,
in the same order. On a mismatch the test prints the lines to paste into
_enums.py (each member's docstring is still to be written by hand)."""

from __future__ import annotations

import enum

import pytest

import contactkeeper as ck
from contactkeeper import _enums, _native

CORE = _native._enum_names()


def python_lines(name: str, members: list[tuple[str, str | int]]) -> str:
    """The members of ``name`` as they are to be written in _enums.py."""
    base = "enum.IntEnum" if all(isinstance(v, int) for _, v in members) else "enum.Enum"
    body = "\n".join(
        f"    {member} = {value}" if isinstance(value, int) else f'    {member} = "{value}"'
        for member, value in members
    )
    return f"class {name}({base}):\n{body}"


def test_every_enumeration_of_the_package_is_checked() -> None:
    exposed = {
        name for name in _enums.__all__ if isinstance(getattr(_enums, name), type)
        and issubclass(getattr(_enums, name), enum.Enum)
    }
    assert exposed == set(CORE), (
        f"not in _enum_names(): {sorted(exposed - set(CORE))}; "
        f"not in _enums.py: {sorted(set(CORE) - exposed)}"
    )


@pytest.mark.parametrize("name", sorted(CORE))
def test_enumeration_matches_the_core(name: str) -> None:
    core = [(member, value) for member, value in CORE[name]]
    cls = getattr(_enums, name, None)
    ours = [] if cls is None else [(m.name, m.value) for m in cls]
    if ours != core:
        missing = [p for p in core if p not in ours]
        extra = [p for p in ours if p not in core]
        pytest.fail(
            f"contactkeeper.{name} differs from the core's.\n"
            f"  missing here: {missing}\n  not in the core: {extra}\n"
            f"The members, in the core's order, to paste into _enums.py:\n\n"
            + python_lines(name, core),
            pytrace=False,
        )


def test_the_package_reexports_every_enumeration() -> None:
    for name in CORE:
        assert getattr(ck, name) is getattr(_enums, name)
