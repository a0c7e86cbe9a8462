"""What is cut on a dashboard page in Chromium, read from the page's state rather than its pixels.

- HTML text clipped by its own box: any element that clips (overflow other than visible, or an
  ellipsis) whose content is wider than the box: a metric card's value or label, a select's choice,
  a caption, a tab, a button.
- Chart labels (ticks, legend, titles, annotations) that leave their chart's drawing.
- Tables: Streamlit's st.dataframe is glide-data-grid drawing on a canvas, so there is no text to
  measure in the DOM. The grid component's own props (read through React's fiber on its canvas)
  hold what it draws: each column's final width (after Streamlit's sizing and the stretch to the
  table's width), the theme's font and padding, and getCellContent for every row, scrolled into
  view or not. Each header and cell is measured with the grid's font, as glide measures it, and
  must end before its column does (glide clips it there); the columns together must fit in the
  table's width (else the last ones hide behind a sideways scroll). Reading state, not drawn frames, makes
  the check independent of when the grid last redrew (drawn frames mix on a loaded machine).

FIND_CUT returns one line per cut, naming the element and its text."""

from __future__ import annotations

# A grid's props, found from its canvas through React's fiber (the component that draws it).
_GRID_PROPS = """
const gridProps = (canvas) => {
  const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber$'));
  for (let f = key && canvas[key], depth = 0; f && depth < 20; f = f.return, depth++) {
    const p = f.memoizedProps;
    if (p && Array.isArray(p.columns) && typeof p.getCellContent === 'function' && p.theme) return p;
  }
  return null;
};
const GRIDS = '[data-testid="stDataFrame"] canvas[data-testid="data-grid-canvas"]';
"""

# What the check depends on, as one string: the main block's width, every table's width and
# column widths, every chart's size, and whether the fonts have loaded.
LAYOUT = (
    "() => {"
    + _GRID_PROPS
    + """
  const main = document.querySelector('[data-testid="stMain"]');
  const grids = [...document.querySelectorAll(GRIDS)]
    .map(c => { const p = gridProps(c); return p ? [p.width, p.columns.map(x => x.width)] : null; });
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg')]
    .map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; });
  return JSON.stringify([main ? main.clientWidth : 0, grids, charts, document.fonts.status]);
}"""
)

FIND_CUT = (
    "() => {"
    + _GRID_PROPS
    + """
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const found = [];
  const short = (s) => { s = String(s).replace(/\\s+/g, ' ').trim(); return s.length > 70 ? s.slice(0, 69) + '…' : s; };
  const headingBefore = (el) => {
    const before = [...main.querySelectorAll('h1, h2, h3, h4')]
      .filter(h => h.innerText.trim() && (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
    return before.length ? short(before[before.length - 1].innerText) : 'the top of the page';
  };

  // 1. HTML text clipped by its box (the innermost box that clips: an outer one does not see it)
  const skip = '[data-testid="stDataFrame"], [data-testid="stPlotlyChart"], [data-testid="stCode"], pre, code, svg';
  for (const el of main.querySelectorAll('*')) {
    if (el.closest(skip) || el.clientWidth === 0) continue;
    const style = getComputedStyle(el);
    const clips = style.textOverflow === 'ellipsis' || style.overflowX !== 'visible';
    if (!clips || !el.innerText || !el.innerText.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const what = el.closest('[data-testid="stMetric"]') ? 'metric card text'
        : el.closest('[data-testid="stWidgetLabel"]') ? 'widget label'
        : el.closest('[data-baseweb="select"]') ? 'selected choice' : 'text';
      found.push(`${what} "${short(el.innerText)}" is cut: ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }

  // 2. chart labels that leave their chart
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const svg = chart.querySelector('.main-svg');
    if (!svg) continue;
    const frame = svg.getBoundingClientRect();
    const title = chart.querySelector('.gtitle');
    const name = title ? short(title.textContent) : headingBefore(chart);
    for (const text of chart.querySelectorAll('svg text')) {
      const r = text.getBoundingClientRect();
      if (!text.textContent.trim() || r.width === 0) continue;
      if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1) {
        found.push(`chart "${name}": label "${short(text.textContent)}" leaves the chart`);
      }
    }
  }

  // 3. tables: every header and cell against its column, the columns against the table
  const measure = document.createElement('canvas').getContext('2d');
  for (const canvas of main.querySelectorAll(GRIDS)) {
    const p = gridProps(canvas);
    const where = `table under "${headingBefore(canvas.closest('[data-testid="stDataFrame"]'))}"`;
    if (!p) { found.push(`${where}: its grid's props could not be read`); continue; }
    const pad = p.theme.cellHorizontalPadding;
    const total = p.columns.reduce((s, c) => s + c.width, 0);
    if (total > p.width + 1) {
      let x = 0;
      const hidden = p.columns.filter(c => { x += c.width; return x > p.width + 1; }).map(c => c.title);
      found.push(`${where} is ${Math.round(total - p.width)} px wider than its ${Math.round(p.width)} px: ` +
        `columns ${hidden.map(t => `"${t}"`).join(', ')} run past its edge`);
    }
    // glide draws a text from its column's left edge plus the padding (plus an icon) and clips it
    // at the column's right edge: cut is a text whose end passes that edge (a px of slack for
    // sub-pixel drawing); the right padding is the grid's margin, not part of the text's room
    p.columns.forEach((col, i) => {
      const icon = col.icon === undefined ? 0 : Math.ceil(p.theme.headerIconSize * 1.3);
      const room = col.width - pad - 0.5;
      measure.font = p.theme.headerFontFull;
      const w = measure.measureText(col.title).width;
      if (w > room - icon + 1) {
        found.push(`${where}: header "${col.title}" is cut: ${Math.ceil(w)} px in ${Math.floor(room - icon)} px`);
      }
      measure.font = p.theme.baseFontFull;
      let worst = null;
      let cut = 0;
      for (let r = 0; r < p.rows; r++) {
        const cell = p.getCellContent([i, r]);
        let text = cell.displayData;
        if (typeof text !== 'string') text = cell.copyData;
        if (typeof text !== 'string' || !text) continue;
        text = text.split(/\\r?\\n/)[0];
        const tw = measure.measureText(text).width;
        if (tw > room + 1) {
          cut++;
          if (!worst || tw > worst.w) worst = { text, w: tw, row: r + 1 };
        }
      }
      if (worst) {
        found.push(`${where}: ${cut} cell(s) of "${col.title}" cut, the widest row ${worst.row} ` +
          `"${short(worst.text)}": ${Math.ceil(worst.w)} px in ${Math.floor(room)} px`);
      }
    });
  }
  return [...new Set(found)];
}"""
)


def settle(page, timeout_s: float = 20.0) -> None:
    """Wait until the layout the check reads has stopped changing: three reads 250 ms apart
    agree (after a resize, tables and charts take their new widths over a few frames)."""
    reads: list[str] = []
    for _ in range(int(timeout_s / 0.25)):
        reads.append(page.evaluate(LAYOUT))
        if len(reads) >= 3 and reads[-1] == reads[-2] == reads[-3] and '"loaded"' in reads[-1]:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the page's layout did not settle in {timeout_s:g} s: {reads[-1][:300]}")


def cut_text(page) -> list[str]:
    """Every cut text on the page as it is laid out now (settle() first)."""
    return page.evaluate(FIND_CUT)
