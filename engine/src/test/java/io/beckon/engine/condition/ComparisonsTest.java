package io.beckon.engine.condition;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract section 6, "Conditions". */
class ComparisonsTest {
  static boolean holds(Object actual, String op, Object expected) {
    return Comparisons.holds(actual, Op.parse(op), expected);
  }

  @Test
  void missingOrNullAttributeOnlySatisfiesNeAndNotExists() {
    for (Op op : Op.values()) {
      boolean expected = op == Op.NE || op == Op.NOT_EXISTS;
      assertTrue(Comparisons.holds(null, op, "x") == expected, op.spelling());
    }
  }

  @Test
  void numbersCompareNumericallyAcrossIntegerAndDecimal() {
    assertTrue(holds(1L, "eq", 1.0));
    assertTrue(holds(2.5, "gt", 2L));
    assertTrue(holds(3L, "lte", 3.0));
    assertFalse(holds(1L, "eq", "1"));
  }

  @Test
  void stringsExactAndOrderedByCodePoint() {
    assertFalse(holds("PL", "eq", "pl"));
    assertTrue(holds("B", "gt", "A"));
    assertTrue(holds("Z", "lt", "a"));
    assertTrue(
        holds("\uD83D\uDE00", "gt", "\uFFFF"), "a supplementary code point sorts above U+FFFF");
  }

  @Test
  void booleansOnlyEqualBooleans() {
    assertTrue(holds(true, "eq", true));
    assertFalse(holds(true, "eq", "true"));
    assertFalse(holds(true, "eq", 1L));
    assertFalse(holds(true, "gt", false), "booleans have no order");
  }

  @Test
  void inAndNotIn() {
    assertTrue(holds("DE", "in", List.of("PL", "DE")));
    assertTrue(holds(2L, "in", List.of(1.0, 2.0)));
    assertTrue(holds("PL", "in", "PL"), "a single value behaves as eq");
    assertTrue(holds("FR", "not_in", List.of("PL", "DE")));
    assertTrue(holds(List.of("a", "b"), "eq", List.of("a", "b")), "lists compare element-wise");
    assertFalse(holds(List.of("a", "b"), "eq", List.of("b", "a")));
  }

  @Test
  void orderingNeedsComparableTypes() {
    assertFalse(holds("10", "gt", 5L));
    assertFalse(holds(10L, "gt", "5"));
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    assertTrue(
        holds(t, "gt", "2026-01-01T00:00:00Z"), "a timestamp orders against an ISO-8601 string");
    assertTrue(holds(t, "lte", "2026-01-05T10:00:00Z"));
    assertFalse(holds(t, "gt", "not a date"));
  }

  @Test
  void containsIsSubstringOrMembership() {
    assertTrue(holds("hello world", "contains", "lo w"));
    assertTrue(holds(List.of("SKU-1", "SKU-2"), "contains", "SKU-2"));
    assertFalse(holds(List.of("SKU-1"), "contains", "SKU"));
    assertFalse(holds(5L, "contains", 5L));
  }

  @Test
  void emptyGroups() {
    Map<String, Object> none = Map.of();
    assertTrue(new Condition.All(List.of()).test(none::get));
    assertFalse(new Condition.Any(List.of()).test(none::get));
    assertTrue(new Condition.Not(new Condition.Any(List.of())).test(none::get));
  }
}
