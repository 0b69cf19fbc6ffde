package io.beckon.tools.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns: text columns left, figure columns right. */
final class TextTable {
  private final List<String> headers;
  private final boolean[] right;
  private final List<List<String>> rows = new ArrayList<>();

  /** {@code leftColumns}: how many leading columns hold text; the rest are right-aligned. */
  TextTable(List<String> headers, int leftColumns) {
    this.headers = List.copyOf(headers);
    this.right = new boolean[headers.size()];
    for (int i = leftColumns; i < right.length; i++) {
      right[i] = true;
    }
  }

  TextTable row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException(
          cells.size() + " cells for " + headers.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  String render() {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, headers, width);
    List<String> rule = new ArrayList<>();
    for (int w : width) {
      rule.add("-".repeat(w));
    }
    line(out, rule, width);
    rows.forEach(row -> line(out, row, width));
    return out.toString();
  }

  private void line(StringBuilder out, List<String> cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      String pad = " ".repeat(width[i] - cell.length());
      line.append(i == 0 ? "" : "  ").append(right[i] ? pad + cell : cell + pad);
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
