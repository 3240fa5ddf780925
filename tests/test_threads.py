"""Two threads drawing text at once must not crash (FreeType is not thread-safe)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT

SCRIPT = textwrap.dedent("""
    import os, threading, time
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    from player.layout.display import Style
    from player.render.fonts import Fonts, choose_fonts
    from player.render.pg import pygame
    choice = choose_fonts()
    stop = time.monotonic() + 3

    def work(seed):
        fonts = Fonts(choice)  # one Fonts per thread, as the preparer and the loop have
        surface = pygame.Surface((800, 200))
        n = seed
        while time.monotonic() < stop:
            n += 1
            style = Style(20 + n % 40, n % 2 == 0)
            fonts.draw(surface, 0, 0, "政务公开第%d页" % n, style)
            fonts.width("街道便民服务中心%d" % n, style)
            fonts.ascender(style)

    threads = [threading.Thread(target=work, args=(i * 1000,)) for i in range(3)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("done")
""")


def test_fonts_used_from_several_threads_do_not_crash() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.strip() == "done"
