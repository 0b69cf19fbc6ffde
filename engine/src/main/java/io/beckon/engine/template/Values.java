package io.beckon.engine.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/** Rendering, truthiness, numeric coercion and comparison of template values. Package-private. */
final class Values {

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private Values() {}

  /** The text a value renders as in template output. */
  /**
   * The first {@code max} characters (code points) of {@code s}, or all of it; never splits a
   * surrogate pair.
   */
  static String clip(CharSequence s, int max) {
    if (s.length() <= max) {
      return s.toString();
    }
    String text = s.toString();
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max));
  }

  static String render(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double d) {
      return Double.toString(d);
    }
    if (v instanceof BigDecimal b) {
      return b.toPlainString();
    }
    if (v instanceof Map) {
      return "";
    }
    if (v instanceof Collection<?> c) {
      StringBuilder sb = new StringBuilder();
      boolean first = true;
      for (Object e : c) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(render(e));
      }
      return sb.toString();
    }
    // Long, Integer, Boolean, Instant and anything else: their own toString().
    return v.toString();
  }

  /** Liquid truthiness: everything except null and false. */
  static boolean truthy(Object v) {
    return v != null && !Boolean.FALSE.equals(v);
  }

  /**
   * When the {@code default} filter replaces a value: null, false and the empty string (contract
   * section 6; Shopify Liquid also replaces empty lists, Beckon does not).
   */
  static boolean isDefaultable(Object v) {
    return v == null || Boolean.FALSE.equals(v) || "".equals(v);
  }

  /**
   * The value as a Long or Double, or null if it is not a number. Strings that parse as a number
   * count as that number (integers become Long, others Double).
   */
  static Number toNumber(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof java.util.concurrent.atomic.AtomicInteger
        || v instanceof java.util.concurrent.atomic.AtomicLong) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return Double.parseDouble(f.toString());
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Number) b.longValue() : (Number) b.doubleValue();
    }
    if (v instanceof BigDecimal b) {
      if (b.scale() <= 0
          && b.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
          && b.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
        return b.longValue();
      }
      return b.doubleValue();
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      return parseNumber(s.strip());
    }
    return null;
  }

  private static Number parseNumber(String s) {
    if (INTEGER.matcher(s).matches()) {
      try {
        return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
      } catch (NumberFormatException tooLarge) {
        return Double.parseDouble(s);
      }
    }
    if (DECIMAL.matcher(s).matches()) {
      return Double.parseDouble(s);
    }
    return null;
  }

  /** Liquid {@code ==}: numbers numerically, otherwise same kind and equal. */
  static boolean equal(Object a, Object b) {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    if (a instanceof Number && b instanceof Number) {
      Integer c = compareNumbers(toNumber(a), toNumber(b));
      return c != null && c == 0;
    }
    if (a instanceof Collection<?> ca && b instanceof Collection<?> cb) {
      if (ca.size() != cb.size()) {
        return false;
      }
      Iterator<?> ia = ca.iterator();
      Iterator<?> ib = cb.iterator();
      while (ia.hasNext() && ib.hasNext()) {
        if (!equal(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof String || a instanceof Boolean || a instanceof Instant || a instanceof Map) {
      return a.equals(b);
    }
    return false;
  }

  /**
   * Ordering for {@code < > <= >=}: numbers numerically, strings by code point, instants in time.
   * Returns null when the two values cannot be ordered (mismatched kinds, NaN, null).
   */
  static Integer compare(Object a, Object b) {
    if (a instanceof Number && b instanceof Number) {
      return compareNumbers(toNumber(a), toNumber(b));
    }
    if (a instanceof String sa && b instanceof String sb) {
      return compareCodePoints(sa, sb);
    }
    if (a instanceof Instant ia && b instanceof Instant ib) {
      return ia.compareTo(ib);
    }
    return null;
  }

  /** Compares two Long/Double values exactly; null if either is NaN or null. */
  static Integer compareNumbers(Number a, Number b) {
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Long la && b instanceof Long lb) {
      return Long.compare(la, lb);
    }
    double da = a.doubleValue();
    double db = b.doubleValue();
    if (Double.isNaN(da) || Double.isNaN(db)) {
      return null;
    }
    if (Double.isInfinite(da) || Double.isInfinite(db)) {
      return Double.compare(da, db);
    }
    return exact(a).compareTo(exact(b));
  }

  private static BigDecimal exact(Number n) {
    return n instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal(n.doubleValue());
  }

  static int compareCodePoints(String a, String b) {
    return io.beckon.engine.condition.Comparisons.compareCodePoints(a, b);
  }

  /** Liquid {@code contains}: substring for strings, membership for lists, key for maps. */
  static boolean contains(Object container, Object item) {
    if (container == null || item == null) {
      return false;
    }
    if (container instanceof String s) {
      return s.contains(render(item));
    }
    if (container instanceof Collection<?> c) {
      for (Object e : c) {
        if (equal(e, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Map<?, ?> m) {
      return item instanceof String && m.containsKey(item);
    }
    return false;
  }
}
