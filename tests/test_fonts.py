"""Font selection: fontconfig ranking, TTC face index, glyph proof, missing-font message."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_signage, write_config
from player.render.fontconfig import Face, chinese_faces, parse_fc_list, pick_pair, scan_known_files
from player.render.fonts import FontError, choose_fonts, load_fonts, missing_glyphs, open_face
from player.render.pg import pygame

NOTO_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

FC_OUTPUT = "\n".join([
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\t0\tNoto Sans CJK JP\tRegular\t80",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\t1\tNoto Sans CJK KR\tRegular\t80",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\t2\tNoto Sans CJK SC\tRegular\t80",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\t7\tNoto Sans Mono CJK SC\tRegular\t80",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc\t2\tNoto Sans CJK SC\tBold\t200",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc\t0\tNoto Sans CJK JP\tBold\t200",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\t0\tWenQuanYi Micro Hei\tRegular\t80",
    "/usr/share/fonts/truetype/arphic/uming.ttc\t0\tAR PL UMing CN\tLight\t50",
])


def test_ranking_prefers_noto_sc_face_of_the_collection() -> None:
    faces = parse_fc_list(FC_OUTPUT)
    regular, bold = pick_pair(sorted(faces, key=lambda f: (f.rank(), abs(f.weight - 80))))
    assert (regular.family, regular.index) == ("Noto Sans CJK SC", 2)
    assert bold is not None and (bold.path.name, bold.index) == ("NotoSansCJK-Bold.ttc", 2)


def test_ranking_wenquanyi_before_other_faces_and_japanese_last() -> None:
    faces = [f for f in parse_fc_list(FC_OUTPUT) if "SC" not in f.family]
    ordered = sorted(faces, key=lambda f: (f.rank(), abs(f.weight - 80)))
    assert ordered[0].family == "WenQuanYi Micro Hei"
    assert ordered[-1].family.startswith("Noto Sans CJK") and not ordered[-1].family.endswith("SC")
    regular, bold = pick_pair(ordered)
    assert regular.family == "WenQuanYi Micro Hei" and bold is None


def test_without_fontconfig_known_files_are_found(tmp_path: Path) -> None:
    (tmp_path / "noto").mkdir()
    (tmp_path / "noto" / "NotoSansCJK-Regular.ttc").write_bytes(b"x")
    (tmp_path / "noto" / "NotoSansCJK-Bold.ttc").write_bytes(b"x")
    (tmp_path / "other.ttf").write_bytes(b"x")
    faces = chinese_faces(runner=lambda args: None, dirs=[tmp_path])
    assert {(f.path.name, f.index) for f in faces} == {("NotoSansCJK-Regular.ttc", 2), ("NotoSansCJK-Bold.ttc", 2)}
    assert scan_known_files([tmp_path / "missing"]) == []


def test_no_chinese_font_gives_one_clear_line() -> None:
    with pytest.raises(FontError) as info:
        choose_fonts(runner=lambda args: "", dirs=[])
    message = str(info.value)
    assert "fonts-noto-cjk" in message and "\n" not in message


def test_chosen_face_draws_chinese_not_boxes() -> None:
    fonts = load_fonts()
    font = fonts.font(False)
    assert missing_glyphs(font, "政务公开") == []
    # The face's missing-glyph box (.notdef), from a private-use code point no font maps.
    box = font.render("\ue000", (0, 0, 0), (255, 255, 255), size=48)[0]
    box_pixels = pygame.image.tobytes(box, "RGB")
    assert missing_glyphs(font, "\ue000") == ["\ue000"]
    for ch in "政务公开":
        glyph = font.render(ch, (0, 0, 0), (255, 255, 255), size=48)[0]
        assert pygame.image.tobytes(glyph, "RGB") != box_pixels, ch
        # and it is not blank either
        assert any(glyph.get_at((x, y))[0] < 128 for x in range(glyph.get_width())
                   for y in range(glyph.get_height()))


@pytest.mark.skipif(not NOTO_TTC.exists(), reason="Noto Sans CJK collection not installed")
def test_ttc_face_index_selects_simplified_chinese() -> None:
    fonts = load_fonts()
    if fonts.choice.regular.path != NOTO_TTC:  # the README accepts WenQuanYi Micro Hei too
        pytest.skip(f"the Chinese font here is {fonts.choice.regular.path.name}, not Noto Sans CJK")
    assert fonts.choice.regular.index == 2
    sc = open_face(Face(NOTO_TTC, 2, "Noto Sans CJK SC"))
    jp = open_face(Face(NOTO_TTC, 0, "Noto Sans CJK JP"))
    assert sc.name == "Noto Sans CJK SC" and jp.name == "Noto Sans CJK JP"
    # Face 0 is Japanese: 直 and 骨 have different shapes, and “ is half width there.
    for ch in "直骨":
        a = pygame.image.tobytes(sc.render(ch, (0, 0, 0), (255, 255, 255), size=64)[0], "RGB")
        b = pygame.image.tobytes(jp.render(ch, (0, 0, 0), (255, 255, 255), size=64)[0], "RGB")
        assert a != b, ch
    assert sc.get_metrics("“", size=40)[0][4] == 40
    assert jp.get_metrics("“", size=40)[0][4] < 40


def test_configured_font_without_chinese_is_refused() -> None:
    latin = Path(pygame.__file__).parent / pygame.font.get_default_font()
    with pytest.raises(FontError, match="no Chinese glyphs"):
        choose_fonts(file=latin)


def _blind_fontconfig(tmp_path: Path) -> dict[str, str]:
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n")
    return {"FONTCONFIG_FILE": str(conf)}


@pytest.mark.parametrize("command", [["render", "-o", "out.png"], ["play", "--headless", "--for", "1"]])
def test_missing_font_stops_play_and_render_with_package_name(tmp_path: Path, command: list[str]) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "config", drop)
    result = run_signage(*command[:1], "-c", str(config), *command[1:], env=_blind_fontconfig(tmp_path),
                         cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "fonts-noto-cjk" in lines[0] and "no Chinese font" in lines[0]
    assert not (tmp_path / "out.png").exists()


def test_config_font_override_is_used(make_config) -> None:
    automatic = choose_fonts().regular
    others = [f for f in chinese_faces() if (f.path, f.index) != (automatic.path, automatic.index)
              and "Mono" not in f.family]
    if not others:  # WenQuanYi alone: one face (and its Mono twin)
        pytest.skip("only one Chinese face is installed")
    chosen = others[0]
    from player.config import load_config
    config = load_config(make_config(extra=f"fonts: {{file: '{chosen.path}', index: {chosen.index}}}\n"))
    fonts = load_fonts(config.fonts.file, config.fonts.index)
    assert (fonts.choice.regular.path, fonts.choice.regular.index) == (chosen.path, chosen.index)
    assert fonts.font(False).name == open_face(chosen).name


def test_fallback_chain_draws_characters_the_main_face_lacks() -> None:
    from player.layout.display import Style
    fonts = load_fonts()
    main = fonts.font(False)
    lacking = next((ch for ch in map(chr, range(0x2190, 0x2400)) if main.get_metrics(ch)[0] is None
                    and fonts.missing(ch) == []), None)
    if lacking is None:
        pytest.skip("no installed fallback covers a character the main face lacks")
    style = Style(48, False, (0, 0, 0))
    surface = pygame.Surface((200, 100))
    surface.fill((255, 255, 255))
    fonts.draw(surface, 10, 10, lacking, style)
    drawn = pygame.image.tobytes(surface, "RGB")
    box = pygame.Surface((200, 100))
    box.fill((255, 255, 255))
    main.render_to(box, (10, 10 + fonts.ascender(style)), lacking, (0, 0, 0), size=48)  # the main face's box
    assert drawn != pygame.image.tobytes(box, "RGB")
    assert fonts.width(lacking, style) > 0


def test_characters_in_no_font_are_reported_by_check_and_logged_once(tmp_path: Path, caplog) -> None:
    (tmp_path / "生僻字.txt").write_text("标题\n名字里有𠀀字。\n", encoding="utf-8")
    result = run_signage("check", str(tmp_path))
    assert result.returncode == 1
    assert "𠀀 (U+20000)" in result.stdout and "would show as boxes" in result.stdout
    fonts = load_fonts()
    from player.layout.display import Style
    with caplog.at_level("WARNING"):
        fonts.width("𠀀𠀀", Style(30))
        fonts.width("𠀀", Style(40))
    assert [r.message.count("U+20000") for r in caplog.records] == [1]
