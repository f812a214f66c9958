"""Every M1 page runs top to bottom as a notebook, in its own folder, with no errors and
nothing written to stderr (no warnings)."""
from __future__ import annotations

import pytest

from ._pages import M1, M1_PAGES

pytestmark = [pytest.mark.book, pytest.mark.slow]


@pytest.mark.parametrize("page", M1_PAGES, ids=[p.name for p in M1_PAGES])
def test_page_executes_cleanly(page):
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient

    nb = jupytext.read(page)
    if not any(c.cell_type == "code" for c in nb.cells):
        pytest.skip("no code cells")
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(M1)}}).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{page.name}: {out.get('ename')}: {out.get('evalue')}"
            if out.output_type == "stream":
                assert out.name != "stderr", f"{page.name} wrote to stderr: {out.text[:300]}"
