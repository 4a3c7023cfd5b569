/**
 * The governors' report as an A4 PDF (pdfkit): the term's figures month by month as a table, the same figures
 * as a bar chart drawn with pdfkit's vector graphics, the rates over the term, and what each figure means. Counts
 * only — the report holds no name but the school's and the person who generated it.
 */
import { CHART_METRICS, type Cell, type GovernorsReport, METRIC_LABELS, METRICS, type Metric } from './governors.js';
import { startPdf } from './pdf.js';

const COLOURS: Record<Metric, string> = {
  due: '#5b6c8f',
  held: '#2e7d32',
  didNotHappen: '#c77700',
  overdue: '#b71c1c',
  signed: '#1565c0',
  actionsDue: '#777777',
  actionsClosedOnTime: '#444444',
};

const MEANINGS: Record<Metric, string> = {
  due: 'sessions the supervision contracts’ cadences ask for, by the day each falls due',
  held: 'sessions that took place, by the day they were held',
  didNotHappen: 'booked sessions the supervisor said did not happen, by their booked day',
  overdue: 'sessions that fell due and are still not held, by the day they fell due',
  signed: 'held sessions whose record both parties have signed',
  actionsDue: 'actions agreed in supervision that fell due (not those set aside as not needed)',
  actionsClosedOnTime: 'of those, actions closed by their due day',
};

export async function governorsReportPdf(report: GovernorsReport): Promise<Buffer> {
  const pdf = startPdf({
    title: `Governors’ report: ${report.term.name}`,
    organisationName: report.organisation.name,
    generatedByText: `${report.generatedBy.name} (${report.generatedBy.roleText})`,
    generatedAtText: report.generatedAtText,
    footer: 'Safeguarding supervision figures for governance: counts only, no names and no record content.',
  });
  const { doc } = pdf;
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  pdf.line('School', report.organisation.name);
  pdf.line('Term', `${report.term.name} (${report.term.rangeText})${report.term.current ? ' — the term is still running: its figures are still growing' : ''}`);
  pdf.line('Generated', `${report.generatedAtText} by ${report.generatedBy.name}`);
  pdf.line('People in supervision now', report.superviseesNow.text);
  doc.moveDown(0.4);
  pdf.para('How safeguarding supervision was provided this term, for the governing board’s review of its provision and impact (safeguarding supervision policy, senior manager’s responsibility (d)).');
  doc.moveDown(0.3);
  pdf.para(report.suppressionText, { size: 9 });

  // the table: one row per measure, one column per month and the term
  pdf.heading('Figures month by month');
  const columns = [...report.months.map((m) => m.label), 'Term'];
  const first = 150;
  const col = (width - first) / Math.max(1, columns.length);
  const row = (label: string, cells: string[], bold: boolean) => {
    // measured in the font the row is written in
    doc.font(bold ? pdf.fonts.bold : pdf.fonts.body).fontSize(8.5);
    const heights = [doc.heightOfString(label, { width: first - 6 }), ...cells.map((c) => doc.heightOfString(c, { width: col - 6 }))];
    const h = Math.max(...heights) + 6;
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    if (bold) doc.rect(left, y, width, h).fill('#eef1f6').fillColor('black');
    doc.text(label, left + 3, y + 3, { width: first - 6, lineBreak: true });
    cells.forEach((c, i) => {
      doc.text(c, left + first + i * col + 3, y + 3, { width: col - 6, align: 'right' });
    });
    doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.4).strokeColor('#bbbbbb').stroke().strokeColor('black');
    doc.x = left;
    doc.y = y + h;
  };
  row('Measure', columns, true);
  for (const k of METRICS) row(METRIC_LABELS[k], [...report.months.map((m) => m.cells[k].text), report.total[k].text], false);
  doc.font(pdf.fonts.body).fontSize(10).moveDown(0.5);

  // the chart: grouped bars per month, drawn as vector shapes
  pdf.heading('Chart: sessions and records month by month');
  const chartHeight = 170;
  const axis = 26;
  if (doc.y + chartHeight + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const top = doc.y + 6;
  const base = top + chartHeight;
  const values = report.months.flatMap((m) => CHART_METRICS.map((k) => m.cells[k].value ?? 0));
  const max = niceMax(Math.max(report.threshold, ...values));
  const scale = chartHeight / max;
  doc.fontSize(7).font(pdf.fonts.body).fillColor('#444444');
  for (const tick of ticks(max)) {
    const y = base - tick * scale;
    doc.moveTo(left + axis, y).lineTo(left + width, y).lineWidth(0.3).strokeColor(tick === 0 ? '#333333' : '#d0d0d0').stroke();
    doc.text(String(tick), left, y - 4, { width: axis - 4, align: 'right', lineBreak: false });
  }
  const groups = Math.max(1, report.months.length);
  const groupWidth = (width - axis) / groups;
  const bar = Math.min(16, (groupWidth - 14) / CHART_METRICS.length);
  report.months.forEach((m, g) => {
    const x0 = left + axis + g * groupWidth + (groupWidth - bar * CHART_METRICS.length) / 2;
    CHART_METRICS.forEach((k, i) => {
      drawBar(doc, m.cells[k], x0 + i * bar, bar - 2, base, scale, report.threshold, COLOURS[k]);
    });
    doc.fillColor('#222222').fontSize(8).text(m.label, left + axis + g * groupWidth, base + 4, { width: groupWidth, align: 'center', lineBreak: false });
  });
  // the legend
  let lx = left + axis;
  const ly = base + 20;
  doc.fontSize(8);
  for (const k of CHART_METRICS) {
    doc.rect(lx, ly, 9, 9).fill(COLOURS[k]);
    doc.fillColor('#222222').text(METRIC_LABELS[k], lx + 12, ly + 1, { lineBreak: false });
    lx += 12 + doc.widthOfString(METRIC_LABELS[k]) + 14;
  }
  doc.fillColor('#444444').fontSize(7.5).text(`A dashed outline marks a count of fewer than ${report.threshold} (its height is not the count); “n/s” a count not shown so that a hidden one cannot be worked out.`, left, ly + 16, { width });
  doc.fillColor('black').strokeColor('black').x = left;
  doc.font(pdf.fonts.body).fontSize(10).moveDown(0.5);

  pdf.heading('Over the term');
  for (const r of report.rates) pdf.line(r.label, r.text);

  pdf.heading('What the figures count');
  for (const k of METRICS) pdf.line(METRIC_LABELS[k], MEANINGS[k]);
  pdf.para('A session counts in the month of its day; days in a holiday count with the term before it. Figures for the current month and term grow until they end.', { size: 9 });
  return pdf.finish();
}

function drawBar(doc: PDFKit.PDFDocument, cell: Cell, x: number, w: number, base: number, scale: number, threshold: number, colour: string): void {
  if (cell.value !== null) {
    const h = cell.value * scale;
    if (h > 0) doc.rect(x, base - h, w, h).fill(colour);
    return;
  }
  if (cell.text.startsWith('fewer')) {
    const h = threshold * scale;
    doc.rect(x, base - h, w, h).dash(2, { space: 1.5 }).lineWidth(0.8).strokeColor(colour).stroke().undash();
    return;
  }
  doc.fillColor('#555555').fontSize(5.5).text('n/s', x - 2, base - 8, { width: w + 4, align: 'center', lineBreak: false });
}

function niceMax(n: number): number {
  for (let p = 1; ; p *= 10) for (const step of [1, 2, 5]) if (step * p >= n) return step * p;
}

function ticks(max: number): number[] {
  const step = max <= 5 ? 1 : max <= 10 ? 2 : max / 5;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Math.round(t));
  return out;
}
