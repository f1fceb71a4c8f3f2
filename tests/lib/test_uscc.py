from math import gcd

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.uscc import (
    ALPHABET,
    REGISTRATION_AUTHORITIES,
    WEIGHTS,
    check_uscc,
    compute_check_digit,
    normalise_uscc,
    validate_uscc,
)

# The sample code quoted by most USCC validators (e.g. hutool's tests); its check digit is right.
STANDARD_EXAMPLE = "91350100M000100Y43"


def test_the_widely_quoted_sample_code_passes():
    result = validate_uscc(STANDARD_EXAMPLE)
    assert result.ok
    assert result.check_digit_ok
    assert result.problems == []


def test_compute_check_digit_of_the_sample_code():
    assert compute_check_digit(STANDARD_EXAMPLE[:17]) == "3"


@pytest.mark.parametrize(
    "code", ["91440300708461136T", "91110108551385082Q", "112302070019030687", "51610700305332460K"]
)
def test_codes_of_enterprises_institutions_and_social_organisations_pass(code):
    assert validate_uscc(code).check_digit_ok


def test_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_weights_are_powers_of_three_mod_31_and_coprime_to_31():
    # This is what makes every single-character substitution detectable.
    assert [pow(3, i, 31) for i in range(17)] == list(WEIGHTS)
    assert all(gcd(w, 31) == 1 for w in WEIGHTS)


def test_normalisation_folds_fullwidth_lowercase_and_spaces_and_keeps_the_raw_string():
    raw = " ９１３５ ０１００ｍ０００１００ｙ４３\u3000"
    result = validate_uscc(raw)
    assert result.normalised == STANDARD_EXAMPLE
    assert result.raw == raw
    assert result.ok
    assert result.check_digit_ok


def test_a_wrong_check_digit_is_a_warning_not_a_rejection():
    result = check_uscc(STANDARD_EXAMPLE[:17] + "4")
    assert result.ok
    assert not result.check_digit_ok
    assert len(result.warnings) == 1
    assert "应为“3”" in result.warnings[0]
    assert "2016年以前" in result.warnings[0]


@pytest.mark.parametrize("code", ["", "9135010", STANDARD_EXAMPLE + "0"])
def test_wrong_length_is_an_error(code):
    result = validate_uscc(code)
    assert not result.ok
    assert not result.check_digit_ok
    assert "18位" in result.problems[0]


def test_excluded_letters_are_an_error_with_a_hint_at_the_lookalike_digit():
    result = validate_uscc("91350100M0O0100Y43")
    assert not result.ok
    assert "第11位“O”" in result.errors[0]
    assert "可能是“0”" in result.errors[0]


def test_check_uscc_raises_for_a_string_that_cannot_be_a_code():
    with pytest.raises(ValidationError, match="18位") as info:
        check_uscc("12345", field="uscc")
    assert info.value.field == "uscc"


def test_an_unknown_registration_authority_is_a_warning():
    first17 = "B1350100M000100Y4"
    result = validate_uscc(first17 + compute_check_digit(first17))
    assert result.ok
    assert result.check_digit_ok
    assert "登记管理部门" in result.warnings[0]


def test_letters_in_the_division_code_are_a_warning():
    first17 = "913501A0M000100Y4"
    result = validate_uscc(first17 + compute_check_digit(first17))
    assert result.ok
    assert "行政区划" in result.warnings[0]


def test_compute_check_digit_refuses_malformed_input():
    with pytest.raises(ValueError, match="17 characters"):
        compute_check_digit("91350100M000100Y")
    with pytest.raises(ValueError, match="17 characters"):
        compute_check_digit("91350100M000100O4")


alphabet_chars = st.sampled_from(ALPHABET)


@st.composite
def valid_codes(draw):
    first17 = (
        draw(st.sampled_from(sorted(REGISTRATION_AUTHORITIES)))
        + draw(alphabet_chars)
        + draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
        + draw(st.text(alphabet=ALPHABET, min_size=9, max_size=9))
    )
    return first17 + compute_check_digit(first17)


@given(valid_codes())
def test_valid_codes_pass_without_any_problem(code):
    result = validate_uscc(code)
    assert result.ok
    assert result.check_digit_ok
    assert result.problems == []


def _fails(result):
    return not (result.ok and result.check_digit_ok)


@given(valid_codes(), st.integers(0, 17), st.characters())
def test_any_single_character_mutation_fails(code, position, replacement):
    mutated = code[:position] + replacement + code[position + 1 :]
    # A lower-case or full-width twin of the same character is the same code, not a mutation.
    if normalise_uscc(mutated) == code:
        return
    assert _fails(validate_uscc(mutated))


def test_every_substitution_within_the_alphabet_breaks_the_check_digit():
    for position in range(18):
        for ch in ALPHABET:
            if ch == STANDARD_EXAMPLE[position]:
                continue
            mutated = STANDARD_EXAMPLE[:position] + ch + STANDARD_EXAMPLE[position + 1 :]
            result = validate_uscc(mutated)
            assert result.ok, mutated
            assert not result.check_digit_ok, mutated
