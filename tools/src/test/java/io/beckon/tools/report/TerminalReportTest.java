package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalReportTest {
  @Test
  void oneAlignedRowPerRuleAndVariantAndATotal() {
    String out = TerminalReport.render(ReportFixtures.model(ReportFixtures.rules()));
    List<String> lines = Arrays.asList(out.split("\n"));
    assertEquals(
        "Beckon report: fires from " + ReportFixtures.FIRST + " to " + ReportFixtures.LAST,
        lines.get(0));
    int header = 2;
    assertTrue(lines.get(header).startsWith("Rule"), lines.get(header));
    // 4 rules: ghost (default, total), idle (default, total), plain (default, total),
    // promo (a, b, holdout, total).
    List<String> table = lines.subList(header, header + 2 + 10);
    int width = table.get(0).length();
    for (String line : table) {
      // The last column is right-aligned, so aligned rows all end in the same column.
      assertEquals(width, line.length(), line);
    }
    assertTrue(lines.get(header + 2 + 10).isEmpty(), "a blank line after the table");

    List<String> a = words(table.get(8));
    // promo a: fires 4, sends 3, audience 1, reentry 0, holdout 0, unreachable 0, cap 0,
    // conversions 2, rate 66.7%, lift +100.0% (...).
    assertEquals(
        List.of("promo", "a", "4", "3", "1", "0", "0", "0", "0", "2", "66.7%", "+100.0%"),
        a.subList(0, 12));
    assertEquals(
        List.of("b", "4", "2", "0", "0", "0", "1", "1", "1", "50.0%"),
        words(table.get(9)).subList(0, 10));
    assertEquals("holdout", words(table.get(10)).get(0));
    assertEquals("total", words(table.get(11)).get(0));
    assertTrue(out.contains("* ghost: 1 suppression (not holdout) has no known variant"), out);
    assertTrue(out.contains(ReportStats.METHOD), out);
  }

  private static List<String> words(String line) {
    return Arrays.asList(line.strip().split("\\s+"));
  }
}
