import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.text import clean_name, mask_id_number, mask_phone, normalize_fullwidth


def test_normalize_fullwidth_folds_letters_digits_signs_and_ideographic_space():
    assert normalize_fullwidth("ＡＢｃ１２３－．％，　x") == "ABc123-.%, x"


def test_normalize_fullwidth_leaves_chinese_untouched():
    assert normalize_fullwidth("开门红。") == "开门红。"


def test_mask_phone_shows_prefix_and_last_four_of_a_mobile_number():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    "phone", ["+86 138-1234-5678", "0086 13812345678", "１３８１２３４５６７８", " 138 1234 5678 "]
)
def test_mask_phone_reads_country_code_separators_and_fullwidth_digits(phone):
    assert mask_phone(phone) == "138****5678"


def test_mask_phone_keeps_only_the_last_four_digits_of_a_landline():
    assert mask_phone("010-12345678") == "*******5678"


def test_mask_phone_of_empty_is_empty_and_of_garbage_reveals_nothing():
    assert mask_phone("") == ""
    assert mask_phone("unknown") == "****"
    assert mask_phone("123") == "***"


@given(st.text(alphabet="0123456789", min_size=5, max_size=20))
def test_mask_phone_never_shows_more_than_seven_digits(digits):
    masked = mask_phone(digits)
    assert sum(ch.isdigit() for ch in masked) <= 7
    assert masked.endswith(digits[-4:])


def test_mask_id_number_hides_the_date_of_birth():
    assert mask_id_number("11010519491231002x") == "110***********002X"


def test_mask_id_number_masks_short_numbers_entirely():
    assert mask_id_number("E1234567") == "********"


def test_clean_name_trims_and_collapses_spaces_and_drops_zero_width_characters():
    assert clean_name("\ufeff  某某  科技\u200b有限公司 \n", 50) == "某某 科技有限公司"


def test_clean_name_keeps_fullwidth_brackets_of_company_names():
    assert clean_name("开门红（北京）科技有限公司", 50) == "开门红（北京）科技有限公司"


def test_clean_name_rejects_angle_brackets():
    with pytest.raises(ValidationError, match="尖括号") as info:
        clean_name("<script>alert(1)</script>", 50, field="name")
    assert info.value.field == "name"


@pytest.mark.parametrize("name", ["第一行\n第二行", "制表\t符", "abc\x00", "反转\u202efdp.exe"])
def test_clean_name_rejects_control_characters_inside(name):
    with pytest.raises(ValidationError, match="控制字符"):
        clean_name(name, 50)


def test_clean_name_rejects_a_name_longer_than_the_limit_and_says_the_limit():
    with pytest.raises(ValidationError, match="最长5个字"):
        clean_name("一二三四五六", 5)


@pytest.mark.parametrize("name", ["", "   ", "\u200b"])
def test_clean_name_rejects_empty(name):
    with pytest.raises(ValidationError, match="不能为空"):
        clean_name(name, 5)


def test_chinese_date_is_written_as_official_text_writes_it():
    from datetime import date

    from kaimen.lib.text import chinese_date

    assert chinese_date(date(2025, 3, 7)) == "2025年3月7日"
    assert chinese_date(date(2025, 12, 31)) == "2025年12月31日"
