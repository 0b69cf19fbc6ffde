package io.beckon.tools.report;

import static io.beckon.tools.report.HtmlPage.escape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's charts as inline SVG: plain shapes and text, drawn from the model alone. */
final class SvgCharts {
  private static final int WIDTH = 1100;
  private static final int LABEL = 240;
  private static final int BARS = 720;
  private static final int ROW = 24;
  private static final int TOP = 24;

  /** Outcome -> colour, in the order the segments are stacked. */
  static final Map<String, String> OUTCOME_COLOURS = new LinkedHashMap<>();

  static {
    OUTCOME_COLOURS.put("Sends", "#2f8132");
    OUTCOME_COLOURS.put(Reason.AUDIENCE.label, "#9aa5b1");
    OUTCOME_COLOURS.put(Reason.REENTRY.label, "#f0b429");
    OUTCOME_COLOURS.put(Reason.HOLDOUT.label, "#7b61ff");
    OUTCOME_COLOURS.put(Reason.UNREACHABLE.label, "#e12d39");
    OUTCOME_COLOURS.put(Reason.FREQUENCY_CAP.label, "#f7813b");
  }

  private static final String RATE = "#3e7bfa";
  private static final String HOLDOUT_RATE = "#9aa5b1";

  private SvgCharts() {}

  /** One stacked bar per rule: its fires split into sends and suppressions by reason. */
  static String outcomes(ReportModel model) {
    long max = model.rules().stream().mapToLong(r -> r.total().fires()).max().orElse(0);
    int height = TOP + model.rules().size() * ROW + 8;
    StringBuilder svg = open(height, "Fires per rule by outcome");
    int y = TOP;
    for (RuleReport rule : model.rules()) {
      Figures t = rule.total();
      text(svg, LABEL - 8, y + 16, "end", rule.ruleId(), false);
      List<Long> parts = new ArrayList<>(List.of(t.sends()));
      for (Reason r : Reason.values()) {
        parts.add(t.suppressed(r));
      }
      double x = LABEL;
      int i = 0;
      for (Map.Entry<String, String> outcome : OUTCOME_COLOURS.entrySet()) {
        long n = parts.get(i++);
        if (n > 0) {
          double w = (double) n * BARS / max;
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s"
                      + " %s</title></rect>\n",
                  x,
                  y + 4,
                  w,
                  ROW - 8,
                  outcome.getValue(),
                  escape(rule.ruleId()),
                  escape(outcome.getKey().toLowerCase(Locale.ROOT)),
                  Formats.count(n)));
          x += w;
        }
      }
      text(
          svg, (int) Math.ceil(x) + 6, y + 16, "start", Formats.count(t.fires()) + " fires", false);
      y += ROW;
    }
    return svg.append("</svg>\n").toString();
  }

  /** The legend of {@link #outcomes}, as HTML. */
  static String outcomeLegend() {
    StringBuilder html = new StringBuilder("<div class=\"legend\">");
    OUTCOME_COLOURS.forEach(
        (name, colour) ->
            html.append("<span><i style=\"background:")
                .append(colour)
                .append("\"></i>")
                .append(escape(name))
                .append("</span>"));
    return html.append("</div>\n").toString();
  }

  /**
   * Conversion rate per group of each rule that has conversions, with its 95% interval as a
   * whisker; null when no rule has any.
   */
  static String rates(ReportModel model) {
    List<RuleReport> shown =
        model.rules().stream().filter(r -> r.total().conversions() > 0).toList();
    if (shown.isEmpty()) {
      return null;
    }
    double top = 0;
    int rows = 0;
    for (RuleReport rule : shown) {
      rows++;
      for (Figures g : rule.groups()) {
        if (g.exposed() > 0) {
          rows++;
          top = Math.max(top, g.rateInterval().high());
        }
      }
    }
    double step = top <= 0.1 ? 0.02 : top <= 0.25 ? 0.05 : 0.1;
    double scaleMax = Math.max(step, Math.ceil(top / step - 1e-9) * step);
    int height = TOP + rows * ROW + 8;
    StringBuilder svg = open(height, "Conversion rate per variant with 95% intervals");
    for (double tick = 0; tick <= scaleMax + 1e-9; tick += step) {
      double x = LABEL + tick / scaleMax * BARS;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e7eb\"/>\n",
              x,
              TOP - 4,
              x,
              height - 4));
      text(svg, (int) Math.round(x), TOP - 8, "middle", Formats.percent(tick), false);
    }
    int y = TOP;
    for (RuleReport rule : shown) {
      text(svg, 8, y + 16, "start", rule.ruleId(), true);
      y += ROW;
      for (Figures g : rule.groups()) {
        if (g.exposed() == 0) {
          continue;
        }
        ReportStats.Interval ci = g.rateInterval();
        double w = g.rate() / scaleMax * BARS;
        double lo = LABEL + ci.low() / scaleMax * BARS;
        double hi = LABEL + ci.high() / scaleMax * BARS;
        int mid = y + ROW / 2;
        text(svg, LABEL - 8, y + 16, "end", g.group(), false);
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s:"
                    + " %s (95%%: %s to %s), %s of %s</title></rect>\n"
                    + "<path d=\"M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d\" stroke=\"#1f2933\""
                    + " stroke-width=\"1.5\" fill=\"none\"/>\n",
                LABEL,
                y + 5,
                w,
                ROW - 10,
                g.isHoldout() ? HOLDOUT_RATE : RATE,
                escape(rule.ruleId()),
                escape(g.group()),
                Formats.percent(g.rate()),
                Formats.percent(ci.low()),
                Formats.percent(ci.high()),
                Formats.count(g.conversions()),
                Formats.count(g.exposed()),
                lo,
                mid,
                hi,
                lo,
                mid - 5,
                mid + 5,
                hi,
                mid - 5,
                mid + 5));
        text(svg, (int) Math.ceil(hi) + 6, y + 16, "start", Formats.percent(g.rate()), false);
        y += ROW;
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder open(int height, String label) {
    return new StringBuilder(
        String.format(
            Locale.ROOT,
            "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" role=\"img\" aria-label=\"%s\">\n",
            WIDTH,
            height,
            WIDTH,
            height,
            escape(label)));
  }

  private static void text(
      StringBuilder svg, int x, int y, String anchor, String text, boolean bold) {
    svg.append("<text x=\"")
        .append(x)
        .append("\" y=\"")
        .append(y)
        .append("\" text-anchor=\"")
        .append(anchor)
        .append(bold ? "\" font-weight=\"600\">" : "\">")
        .append(escape(text))
        .append("</text>\n");
  }
}
