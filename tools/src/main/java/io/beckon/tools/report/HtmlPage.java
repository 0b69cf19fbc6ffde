package io.beckon.tools.report;

/**
 * A self-contained HTML page: inline CSS, no script, nothing loaded from anywhere else. Every text
 * that comes from data goes through {@link #escape}.
 */
final class HtmlPage {
  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
        color:#1f2933;margin:24px 32px;max-width:1400px}
      h1{font-size:24px;margin:0 0 4px}
      h2{font-size:18px;margin:28px 0 8px}
      .period{color:#52606d;margin:0 0 16px}
      table{border-collapse:collapse;font-size:13px}
      th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;white-space:nowrap}
      th{background:#f5f7fa;text-align:left;font-weight:600}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      tr.rule th{background:#fff;font-size:14px;padding-top:14px;border-bottom:1px solid #cbd2d9}
      tr.total td{font-weight:600}
      .ci{display:block;font-size:11px;font-weight:400;color:#52606d}
      .summary{font-size:15px;margin:0 0 8px}
      .change{display:block;font-size:11px;color:#9aa5b1}
      .change.changed{color:#1f2933;font-weight:600}
      table.comparison tbody th{font-weight:600;background:#fff}
      tr.holdout td{color:#52606d}
      td.up{color:#2f8132}
      td.down{color:#ba2525}
      .legend span{display:inline-block;margin-right:14px;font-size:13px}
      .legend i{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px}
      svg text{font-size:12px;fill:#1f2933}
      .note{color:#52606d;font-size:13px;max-width:1000px}
      footer{margin-top:28px;border-top:1px solid #e4e7eb;padding-top:8px}
      """;

  private HtmlPage() {}

  /** A page of {@code title} around {@code body} (HTML, already escaped). */
  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + escape(title)
        + "</title>\n<style>\n"
        + CSS
        + "</style>\n</head>\n<body>\n"
        + body
        + "</body>\n</html>\n";
  }

  /** Text safe in element content and in quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A table cell; {@code numeric} ones are right-aligned. */
  static String cell(String text, boolean numeric, String extraClass) {
    String cls = (numeric ? "num" : "") + (extraClass == null ? "" : " " + extraClass);
    return "<td"
        + (cls.isBlank() ? "" : " class=\"" + cls.strip() + "\"")
        + ">"
        + escape(text)
        + "</td>";
  }
}
