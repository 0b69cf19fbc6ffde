package io.beckon.engine.condition;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The comparison semantics of the contract (section 6, "Conditions"): null is missing; on a missing
 * attribute only {@code ne} and {@code not_exists} hold; numbers compare numerically, strings
 * exactly (ordering by code point), booleans only with booleans, lists element-wise; timestamps
 * order against ISO-8601 strings.
 */
public final class Comparisons {
  private Comparisons() {}

  public static boolean holds(Object actual, Op op, Object expected) {
    if (actual == null) {
      return op == Op.NE || op == Op.NOT_EXISTS;
    }
    return switch (op) {
      case EXISTS -> true;
      case NOT_EXISTS -> false;
      case EQ -> same(actual, expected);
      case NE -> !same(actual, expected);
      case IN -> in(actual, expected);
      case NOT_IN -> !in(actual, expected);
      case GT -> ordered(actual, expected) && order(actual, expected) > 0;
      case GTE -> ordered(actual, expected) && order(actual, expected) >= 0;
      case LT -> ordered(actual, expected) && order(actual, expected) < 0;
      case LTE -> ordered(actual, expected) && order(actual, expected) <= 0;
      case CONTAINS -> contains(actual, expected);
    };
  }

  /** Equality across the value model: 1 = 1.0, strings exactly, lists element-wise. */
  public static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Instant x) {
      Instant y = asInstant(b);
      return y != null && x.equals(y);
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    return a.equals(b);
  }

  private static boolean in(Object actual, Object expected) {
    if (expected instanceof List<?> candidates) {
      return candidates.stream().anyMatch(c -> same(actual, c));
    }
    return same(actual, expected);
  }

  private static boolean contains(Object actual, Object expected) {
    if (actual instanceof String s) {
      return expected instanceof String part && s.contains(part);
    }
    if (actual instanceof List<?> list) {
      return list.stream().anyMatch(element -> same(element, expected));
    }
    return false;
  }

  private static final int NOT_COMPARABLE = Integer.MIN_VALUE;

  private static boolean ordered(Object a, Object b) {
    return order(a, b) != NOT_COMPARABLE;
  }

  /** Sign of a - b, or NOT_COMPARABLE when the pair has no order. */
  private static int order(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Integer.signum(Double.compare(x.doubleValue(), y.doubleValue()));
    }
    if (a instanceof Instant x) {
      Instant y = asInstant(b);
      return y == null ? NOT_COMPARABLE : Integer.signum(x.compareTo(y));
    }
    if (a instanceof String x && b instanceof String y) {
      return Integer.signum(compareCodePoints(x, y));
    }
    return NOT_COMPARABLE;
  }

  /**
   * Unicode code point order (String.compareTo orders UTF-16 units, which differs above U+FFFF).
   */
  public static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int cx = x.codePointAt(i);
      int cy = y.codePointAt(j);
      if (cx != cy) {
        return Integer.compare(cx, cy);
      }
      i += Character.charCount(cx);
      j += Character.charCount(cy);
    }
    return Integer.compare(x.length() - i, y.length() - j);
  }

  private static Instant asInstant(Object value) {
    if (value instanceof Instant t) {
      return t;
    }
    if (value instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        try {
          return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e2) {
          try {
            return java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
          } catch (DateTimeParseException e3) {
            return null;
          }
        }
      }
    }
    return null;
  }
}
