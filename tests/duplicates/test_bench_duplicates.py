"""The duplicate finder's benchmark runs the whole near tier: its synthetic library has thumbnails."""

from artseek.bench.duplicates import run


def test_the_planted_near_copies_pass_the_pixel_check(tmp_path) -> None:
    bench = run(images=600, added=20, workdir=tmp_path)
    # 5 % planted near copies (30; a few may land on one another or on a copy): found as near-identical groups,
    # which needs the thumbnails compared (a pair whose thumbnail is missing is never near)
    assert bench.groups.get("near", 0) >= 20, bench.groups
    assert bench.groups.get("identical", 0) >= 3 and bench.pairs > 0
