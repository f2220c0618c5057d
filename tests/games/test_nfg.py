"""Tests for the Gambit ``.nfg`` reader and writer (vsg_pyro.games.nfg)."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_pyro.games.nfg import (
    NfgFormatError,
    StrategicFormGame,
    format_nfg,
    parse_nfg,
    read_nfg,
    write_nfg,
)

DATA = Path(__file__).resolve().parents[2] / "vsg_pyro" / "games" / "data"

# A 2 x 3 game: P1 has 2 strategies, P2 has 3.  Profiles in file order (P1 fastest):
# (1,1) (2,1) (1,2) (2,2) (1,3) (2,3) -> P1 gets 1..6 and P2 gets 10..60 in that order.
PAYOFF_2X3 = """NFG 1 R "2x3 game" { "P1" "P2" } { 2 3 }

1 10  2 20  3 30  4 40  5 50  6 60
"""

# The same game in outcome format, with outcomes listed in a scrambled order:
# outcome 1 = (6,60), 2 = (1,10), 3 = (3,30), 4 = (2,20), 5 = (5,50), 6 = (4,40).
OUTCOME_2X3 = """NFG 1 R "2x3 game" { "P1" "P2" }

{ { "T" "B" }
  { "L" "C" "R" }
}
""

{
{ "six" 6, 60 }
{ "one" 1, 10 }
{ "three" 3 30 }
{ "two" 2, 20 }
{ "five" 5, 50 }
{ "four" 4 , 40 }
}
2 4 3 6 5 1
"""

EXPECTED_2X3 = np.array(
    [
        [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]],
        [[10.0, 30.0, 50.0], [20.0, 40.0, 60.0]],
    ]
)


def _game(payoffs, names=None, title="t", comment=""):
    payoffs = np.asarray(payoffs, dtype=float)
    n = payoffs.shape[0]
    if names is None:
        names = tuple(tuple(str(k + 1) for k in range(a)) for a in payoffs.shape[1:])
    return StrategicFormGame(title, tuple(f"P{i + 1}" for i in range(n)), names, payoffs, comment)


# ------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------


def test_payoff_format_first_player_varies_fastest():
    game = parse_nfg(PAYOFF_2X3)
    assert game.payoffs.shape == (2, 2, 3)
    assert game.payoffs.dtype == np.float64
    # Specific entries, read off the file by hand.
    assert game.payoffs[0, 0, 0] == 1.0
    assert game.payoffs[1, 0, 0] == 10.0
    assert game.payoffs[0, 1, 0] == 2.0  # second profile is (2,1): P1 moved first
    assert game.payoffs[1, 1, 0] == 20.0
    assert game.payoffs[0, 0, 1] == 3.0
    assert game.payoffs[0, 1, 1] == 4.0
    assert game.payoffs[0, 0, 2] == 5.0
    assert game.payoffs[1, 1, 2] == 60.0
    np.testing.assert_array_equal(game.payoffs, EXPECTED_2X3)


def test_payoff_format_header_fields_and_default_strategy_names():
    game = parse_nfg(PAYOFF_2X3)
    assert game.title == "2x3 game"
    assert game.player_names == ("P1", "P2")
    assert game.strategy_names == (("1", "2"), ("1", "2", "3"))
    assert game.comment == ""
    assert game.num_players == 2
    assert game.num_strategies == (2, 3)


def test_outcome_format_gives_same_payoffs_as_payoff_format():
    game = parse_nfg(OUTCOME_2X3)
    assert game.strategy_names == (("T", "B"), ("L", "C", "R"))
    np.testing.assert_array_equal(game.payoffs, EXPECTED_2X3)
    np.testing.assert_array_equal(game.payoffs, parse_nfg(PAYOFF_2X3).payoffs)


def test_null_outcome_gives_zero_payoffs():
    text = """NFG 1 R "null" { "A" "B" } { { "x" "y" } { "u" "v" } }
    { { "win" 2 -1 } }
    1 0 0 1
    """
    game = parse_nfg(text)
    np.testing.assert_array_equal(game.payoffs[:, 0, 0], [2.0, -1.0])
    np.testing.assert_array_equal(game.payoffs[:, 1, 0], [0.0, 0.0])
    np.testing.assert_array_equal(game.payoffs[:, 0, 1], [0.0, 0.0])
    np.testing.assert_array_equal(game.payoffs[:, 1, 1], [2.0, -1.0])


def test_outcome_list_may_be_empty_when_all_outcomes_are_null():
    text = 'NFG 1 R "" { "A" "B" } { { "x" } { "u" "v" } } { } 0 0'
    game = parse_nfg(text)
    np.testing.assert_array_equal(game.payoffs, np.zeros((2, 1, 2)))


def test_rationals_decimals_and_exponents_parse_exactly():
    text = 'NFG 1 R "nums" { "A" } { 8 }  3/2 -1/3 1/10 .5 2.5E+2 -1e-3 +7 -0'
    game = parse_nfg(text)
    values = game.payoffs[0].tolist()
    assert values[0] == 1.5
    assert values[1] == -1 / 3
    assert values[2] == 0.1
    assert values[3] == 0.5
    assert values[4] == 250.0
    assert values[5] == -0.001
    assert values[6] == 7.0
    assert values[7] == 0.0


def test_rational_is_correctly_rounded():
    # 1/3 written as a rational and as a 17-digit decimal give the same double.
    game = parse_nfg('NFG 1 R "" { "A" } { 2 } 1/3 0.33333333333333331')
    assert game.payoffs[0, 0] == game.payoffs[0, 1] == 1 / 3


def test_three_player_2x2x2_payoff_format():
    # Profile k (0-based) in file order is (a1, a2, a3) with a1 fastest; payoff of player i
    # at profile k is 100 * i + k, so every entry identifies its position.
    values = " ".join(f"{k} {100 + k} {200 + k}" for k in range(8))
    text = f'NFG 1 R "three" {{ "X" "Y" "Z" }} {{ 2 2 2 }}\n{values}\n'
    game = parse_nfg(text)
    assert game.payoffs.shape == (3, 2, 2, 2)
    assert game.payoffs[0, 1, 0, 0] == 1.0  # k = 1
    assert game.payoffs[0, 0, 1, 0] == 2.0  # k = 2
    assert game.payoffs[1, 0, 0, 1] == 104.0  # k = 4
    assert game.payoffs[2, 1, 1, 0] == 203.0  # k = 3
    assert game.payoffs[2, 1, 0, 1] == 205.0  # k = 5
    assert game.payoffs[1, 1, 1, 1] == 107.0  # k = 7


def test_escaped_quotes_comment_and_arbitrary_whitespace():
    text = (
        'NFG\n1\tR\n  "He said \\"hi\\"" {\n"Pl \\"A\\""\n"B"}\n{\n1\n2}\n'
        '"a comment\nover two lines with \\\\ backslash"\n\n 1 2\n\t3\r\n4 \n'
    )
    game = parse_nfg(text)
    assert game.title == 'He said "hi"'
    assert game.player_names == ('Pl "A"', "B")
    assert game.comment == "a comment\nover two lines with \\ backslash"
    np.testing.assert_array_equal(game.payoffs[:, 0, 0], [1.0, 2.0])
    np.testing.assert_array_equal(game.payoffs[:, 0, 1], [3.0, 4.0])


def test_other_backslashes_are_kept_literally():
    game = parse_nfg('NFG 1 R "a\\nb" { "A" } { 1 } 0')
    assert game.title == "a\\nb"


def test_decimal_header_d_and_names_with_flat_payoffs():
    text = 'NFG 1 D "d" { "A" "B" } { { "x" "y" } { "u" } } "c" 1 2 3 4'
    game = parse_nfg(text)
    assert game.strategy_names == (("x", "y"), ("u",))
    assert game.comment == "c"
    np.testing.assert_array_equal(game.payoffs[:, :, 0], [[1.0, 3.0], [2.0, 4.0]])


# ------------------------------------------------------------------------------------------
# Shipped data files
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["prisoners_dilemma_payoff.nfg", "prisoners_dilemma_outcome.nfg"])
def test_prisoners_dilemma_files(name):
    game = read_nfg(DATA / name)
    assert game.player_names == ("Row", "Column")
    assert game.payoffs.shape == (2, 2, 2)
    # (C,C) = (3,3), (D,C) = (5,0), (C,D) = (0,5), (D,D) = (1,1); strategy 0 = cooperate.
    np.testing.assert_array_equal(game.payoffs[0], [[3.0, 0.0], [5.0, 1.0]])
    np.testing.assert_array_equal(game.payoffs[1], [[3.0, 5.0], [0.0, 1.0]])


def test_prisoners_dilemma_file_labels():
    payoff = read_nfg(DATA / "prisoners_dilemma_payoff.nfg")
    outcome = read_nfg(DATA / "prisoners_dilemma_outcome.nfg")
    assert payoff.strategy_names == (("1", "2"), ("1", "2"))
    assert outcome.strategy_names == (("Cooperate", "Defect"), ("Cooperate", "Defect"))
    assert payoff.title == "Prisoner's dilemma (payoff format)"
    assert payoff.comment.startswith("Strategy 1 = cooperate")


def test_asymmetric_3x2_file():
    game = read_nfg(DATA / "asymmetric_3x2_payoff.nfg")
    assert game.payoffs.shape == (2, 3, 2)
    assert game.player_names == ("Alice", "Bob")
    expected_alice = [[1.5, 4.0], [0.0, 2.0], [-1 / 3, 0.15]]
    expected_bob = [[-1.0, 0.25], [2.5, -7.0], [10.0, 3.0]]
    np.testing.assert_array_equal(game.payoffs[0], expected_alice)
    np.testing.assert_array_equal(game.payoffs[1], expected_bob)


def test_three_player_outcome_file():
    game = read_nfg(DATA / "three_player_outcome.nfg")
    assert game.payoffs.shape == (3, 2, 2, 2)
    assert game.strategy_names == (("a1", "a2"), ("b1", "b2"), ("c1", "c2"))
    assert game.comment == ""
    np.testing.assert_array_equal(game.payoffs[:, 0, 0, 0], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(game.payoffs[:, 1, 1, 1], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(game.payoffs[:, 1, 1, 0], [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(game.payoffs[:, 0, 0, 1], [0.0, 0.0, 3.0])
    for profile in [(1, 0, 0), (0, 1, 0), (1, 0, 1), (0, 1, 1)]:
        np.testing.assert_array_equal(game.payoffs[(slice(None), *profile)], [0.0, 0.0, 0.0])


def test_every_shipped_file_round_trips():
    files = sorted(DATA.glob("*.nfg"))
    assert len(files) >= 4
    for path in files:
        game = read_nfg(path)
        for style in ("payoff", "outcome"):
            assert parse_nfg(format_nfg(game, style)) == game


# ------------------------------------------------------------------------------------------
# Writing and round trips
# ------------------------------------------------------------------------------------------


def test_format_payoff_style_exact_text():
    game = _game(EXPECTED_2X3, title="2x3 game")
    text = format_nfg(game, "payoff")
    assert text.splitlines()[0] == 'NFG 1 R "2x3 game" { "P1" "P2" } { 2 3 }'
    # Integral floats are written as integers, profiles in first-player-fastest order.
    assert text.split()[-12:] == "1 10 2 20 3 30 4 40 5 50 6 60".split()


def test_format_outcome_style_deduplicates_and_uses_null_outcome():
    payoffs = np.array([[[2.0, 0.0], [0.0, 2.0]], [[-0.5, 0.0], [0.0, -0.5]]])
    game = _game(payoffs, names=(("x", "y"), ("u", "v")))
    text = format_nfg(game, "outcome")
    assert '{ "" 2, -0.5 }' in text
    assert text.count('{ ""') == 1
    assert text.strip().splitlines()[-1] == "1 0 0 1"
    assert parse_nfg(text) == game


def test_format_writes_floats_with_repr_and_escapes_strings():
    game = StrategicFormGame('a "q" \\', ("P",), (('s"1',),), np.array([[0.1]]), "c")
    text = format_nfg(game)
    assert '"a \\"q\\" \\\\"' in text
    assert "0.1" in text.split()
    assert parse_nfg(text) == game


def test_write_and_read_file(tmp_path):
    game = parse_nfg(OUTCOME_2X3)
    for style in ("payoff", "outcome"):
        path = tmp_path / f"game_{style}.nfg"
        write_nfg(game, path, style=style)
        assert read_nfg(path) == game
        assert read_nfg(str(path)) == game


_names = st.text(max_size=6)
_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def games(draw):
    """Random small games with arbitrary labels and finite float payoffs."""
    counts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    n = len(counts)
    size = n * math.prod(counts)
    flat = draw(st.lists(_finite | st.integers(-5, 5).map(float), min_size=size, max_size=size))
    strategy_names = tuple(tuple(draw(st.lists(_names, min_size=a, max_size=a))) for a in counts)
    players = tuple(draw(st.lists(_names, min_size=n, max_size=n)))
    payoffs = np.array(flat, dtype=np.float64).reshape((n, *counts))
    return StrategicFormGame(draw(_names), players, strategy_names, payoffs, draw(_names))


@settings(max_examples=150, deadline=None)
@given(games(), st.sampled_from(["payoff", "outcome"]))
def test_round_trip_random_games(game, style):
    parsed = parse_nfg(format_nfg(game, style))
    assert parsed == game
    # Exact bitwise equality of every payoff (apart from the sign of zero).
    np.testing.assert_array_equal(parsed.payoffs, game.payoffs)


@settings(max_examples=25, deadline=None)
@given(games())
def test_round_trip_through_files(game):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "g.nfg")
        write_nfg(game, path, style="outcome")
        assert read_nfg(path) == game


def test_default_names_round_trip_through_counts_header():
    game = _game(np.arange(12.0).reshape(2, 2, 3))
    text = format_nfg(game, "payoff")
    assert "{ 2 3 }" in text.splitlines()[0]
    assert parse_nfg(text) == game


# ------------------------------------------------------------------------------------------
# The container
# ------------------------------------------------------------------------------------------


def test_game_is_immutable_equal_and_hashable():
    a = _game(EXPECTED_2X3)
    b = _game(EXPECTED_2X3.copy())
    assert a == b and hash(a) == hash(b)
    assert a != _game(EXPECTED_2X3 + 1.0)
    assert _game([[0.0]]) == _game([[-0.0]]) and hash(_game([[0.0]])) == hash(_game([[-0.0]]))
    with pytest.raises(ValueError):
        a.payoffs[0, 0, 0] = 5.0


def test_constructor_validates_shapes():
    with pytest.raises(NfgFormatError, match=r"wrong shape.*\(2, 2, 3\).*\(2, 3, 2\)"):
        StrategicFormGame("t", ("A", "B"), (("1", "2"), ("1", "2", "3")), np.zeros((2, 3, 2)))
    with pytest.raises(NfgFormatError, match="one list of strategy names per player"):
        StrategicFormGame("t", ("A", "B"), (("1", "2"),), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="no strategies"):
        StrategicFormGame("t", ("A",), ((),), np.zeros((1, 0)))


# ------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('EFG 2 R "x" { "A" } { 1 } 0', ["wrong header", "NFG 1 R", "'EFG'", "line 1"]),
        ('NFG 2 R "x" { "A" } { 1 } 0', ["wrong header", "version 1", "'2'"]),
        ('NFG 1 X "x" { "A" } { 1 } 0', ["wrong header", "'R' or 'D'", "'X'"]),
        ("NFG 1 R { }", ["game title", "'{'"]),
        ("", ["wrong header", "end of file"]),
    ],
)
def test_header_errors(text, words):
    with pytest.raises(NfgFormatError) as info:
        parse_nfg(text)
    for word in words:
        assert word in str(info.value)


def test_wrong_number_of_payoffs_too_few():
    text = 'NFG 1 R "x" { "A" "B" } { 2 2 }\n\n1 2 3 4 5 6 7\n'
    with pytest.raises(NfgFormatError, match="wrong number of payoffs") as info:
        parse_nfg(text)
    message = str(info.value)
    assert "expected 8" in message and "found 7" in message
    assert "4 strategy profiles x 2 players" in message
    assert info.value.line == 3 and info.value.column == 1


def test_wrong_number_of_payoffs_too_many():
    with pytest.raises(NfgFormatError, match="expected 2 .*found 3"):
        parse_nfg('NFG 1 R "x" { "A" } { 2 } 1 2 3')


def test_wrong_number_of_payoffs_in_outcome():
    text = 'NFG 1 R "x" { "A" "B" } { 1 1 } { { "o" 1 2 3 } } 1'
    with pytest.raises(NfgFormatError, match="wrong number of payoffs in outcome: expected 2"):
        parse_nfg(text)


def test_wrong_number_of_outcome_indices():
    text = 'NFG 1 R "x" { "A" "B" } { 2 2 } { { "o" 1 2 } } 1 1 1'
    with pytest.raises(
        NfgFormatError, match="wrong number of outcome indices: expected 4.*found 3"
    ):
        parse_nfg(text)


@pytest.mark.parametrize("index", ["5", "-1"])
def test_outcome_index_out_of_range(index):
    text = f'NFG 1 R "x" {{ "A" }} {{ 2 }}\n{{ {{ "a" 1 }} {{ "b" 2 }} }}\n1 {index}\n'
    with pytest.raises(NfgFormatError, match="out of range") as info:
        parse_nfg(text)
    assert f"outcome index {index}" in str(info.value)
    assert "1..2" in str(info.value)
    assert info.value.line == 3 and info.value.column == 3


def test_outcome_index_must_be_integer():
    text = 'NFG 1 R "x" { "A" } { 1 } { { "a" 1 } } 1.0'
    with pytest.raises(NfgFormatError, match="integer outcome index"):
        parse_nfg(text)


def test_unterminated_string():
    text = 'NFG 1 R "x" { "A" "B } { 1 1 }\n1 2\n'
    with pytest.raises(NfgFormatError, match="unterminated string") as info:
        parse_nfg(text)
    assert info.value.line == 1 and info.value.column == 19


def test_unterminated_string_with_escaped_quote_at_end():
    with pytest.raises(NfgFormatError, match="unterminated string"):
        parse_nfg('NFG 1 R "title\\"')


@pytest.mark.parametrize("bad", ["1.2.3", "abc", "3/", "1/0", "--1", "1e", "0x10"])
def test_unparseable_number(bad):
    text = f'NFG 1 R "x" {{ "A" }} {{ 2 }}\n1 {bad}\n'
    with pytest.raises(NfgFormatError, match="unparseable number") as info:
        parse_nfg(text)
    assert repr(bad) in str(info.value)
    assert info.value.line == 2 and info.value.column == 3


def test_unparseable_number_in_outcome():
    with pytest.raises(NfgFormatError, match="unparseable number '1x'"):
        parse_nfg('NFG 1 R "x" { "A" } { 1 } { { "a" 1x } } 1')


def test_bad_strategy_count():
    with pytest.raises(NfgFormatError, match="positive integer strategy count"):
        parse_nfg('NFG 1 R "x" { "A" } { 0 }')
    with pytest.raises(NfgFormatError, match=r"one entry per player \(2\), found 1"):
        parse_nfg('NFG 1 R "x" { "A" "B" } { 2 } 1 2')


@pytest.mark.parametrize(
    "text",
    [
        'NFG 1 R "x" { "A" "B" { 2 2 } 1 2 3 4 5 6 7 8',  # players list never closed
        'NFG 1 R "x" { "A" } { 2 1 2',  # strategy block never closed
        'NFG 1 R "x" { "A" } { 2 } 1 2 }',  # stray closing brace
        'NFG 1 R "x" { "A" } { { "s" } } { { "o" 1 }',  # outcome list never closed
        'NFG 1 R "x" { "A" } { { "s" } } { { "o" 1 } } } 1',  # stray '}' after outcome list
        'NFG 1 R "x" { "A" } { { "s" } } { { "o" 1 { "p" 2 } } 1',  # outcome never closed
    ],
)
def test_mismatched_braces(text):
    with pytest.raises(NfgFormatError, match="mismatched braces"):
        parse_nfg(text)


def test_unexpected_item_where_brace_expected():
    with pytest.raises(
        NfgFormatError, match="expected '}' closing the list of player names"
    ) as info:
        parse_nfg('NFG 1 R "x" { "A" 3 } { 1 } 0')
    assert "found '3'" in str(info.value)
    assert info.value.column == 19


def test_mismatched_brace_message_names_the_opener():
    with pytest.raises(NfgFormatError) as info:
        parse_nfg('NFG 1 R "x"\n{ "A" "B"\n{ 2 2 }')
    message = str(info.value)
    assert "expected '}' closing the list of player names opened at line 2, column 1" in message
    assert "found '{'" in message
    assert message.startswith("line 3, column 1:")


@pytest.mark.parametrize("bad", ["inf", "-inf", "NaN", "1e400", "-1e999", "10" * 200 + "/1"])
def test_non_finite_payoffs_rejected_when_parsing(bad):
    with pytest.raises(NfgFormatError, match="non-finite"):
        parse_nfg(f'NFG 1 R "x" {{ "A" }} {{ 1 }} {bad}')


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_payoffs_rejected_when_writing(bad):
    payoffs = np.zeros((2, 2, 2))
    payoffs[1, 0, 1] = bad
    game = _game(payoffs)
    for style in ("payoff", "outcome"):
        with pytest.raises(NfgFormatError, match="non-finite") as info:
            format_nfg(game, style)
        assert "payoffs[1, 0, 1]" in str(info.value)


def test_format_rejects_payoffs_of_wrong_shape():
    game = _game(EXPECTED_2X3)
    # Bypass the frozen dataclass to simulate a corrupted game object.
    object.__setattr__(game, "payoffs", np.zeros((2, 3, 2)))
    with pytest.raises(NfgFormatError, match=r"wrong shape: expected \(2, 2, 3\).*\(2, 3, 2\)"):
        format_nfg(game)


def test_format_rejects_unknown_style():
    with pytest.raises(ValueError, match="unknown .nfg style"):
        format_nfg(_game(EXPECTED_2X3), "table")  # type: ignore[arg-type]


def test_read_nfg_error_names_the_file(tmp_path):
    path = tmp_path / "broken.nfg"
    path.write_text('NFG 1 R "x" { "A" } { 2 } 1', encoding="utf-8")
    with pytest.raises(NfgFormatError, match="broken.nfg: line 1, column 27: wrong number") as info:
        read_nfg(path)
    assert (info.value.line, info.value.column) == (1, 27)
