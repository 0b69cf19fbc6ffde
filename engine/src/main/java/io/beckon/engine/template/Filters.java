package io.beckon.engine.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * The fixed set of filters a template may use. Filters never throw: input they cannot handle yields
 * null, which renders as "" and lets a later {@code default} apply. Package-private.
 */
final class Filters {

  /** A filter body: the piped-in value and the evaluated arguments. */
  @FunctionalInterface
  interface Fn {
    Object apply(Object input, List<Object> args);
  }

  /** A filter with its allowed number of arguments. */
  record Def(String name, int minArgs, int maxArgs, Fn fn) {}

  private static final Map<String, Def> DEFS = new HashMap<>();

  static {
    def("default", 1, 1, (in, a) -> Values.isDefaultable(in) ? a.get(0) : in);
    def("upcase", 0, 0, (in, a) -> in == null ? null : Values.render(in).toUpperCase(Locale.ROOT));
    def(
        "downcase",
        0,
        0,
        (in, a) -> in == null ? null : Values.render(in).toLowerCase(Locale.ROOT));
    def("capitalize", 0, 0, (in, a) -> in == null ? null : capitalize(Values.render(in)));
    def("strip", 0, 0, (in, a) -> in == null ? null : Values.render(in).strip());
    def("append", 1, 1, (in, a) -> Values.render(in) + Values.render(a.get(0)));
    def("prepend", 1, 1, (in, a) -> Values.render(a.get(0)) + Values.render(in));
    def("size", 0, 0, (in, a) -> size(in));
    def("join", 0, 1, (in, a) -> join(in, a.isEmpty() ? " " : Values.render(a.get(0))));
    def("first", 0, 0, (in, a) -> first(in));
    def("last", 0, 0, (in, a) -> last(in));
    def("truncate", 0, 2, Filters::truncate);
    def(
        "replace",
        2,
        2,
        (in, a) -> replace(Values.render(in), Values.render(a.get(0)), Values.render(a.get(1))));
    def("round", 0, 1, Filters::round);
    def("floor", 0, 0, (in, a) -> toLong(Values.toNumber(in), Math::floor));
    def("ceil", 0, 0, (in, a) -> toLong(Values.toNumber(in), Math::ceil));
    def("plus", 1, 1, (in, a) -> arithmetic(in, a.get(0), Math::addExact, Double::sum));
    def("minus", 1, 1, (in, a) -> arithmetic(in, a.get(0), Math::subtractExact, (x, y) -> x - y));
    def("times", 1, 1, (in, a) -> arithmetic(in, a.get(0), Math::multiplyExact, (x, y) -> x * y));
    def("divided_by", 1, 1, (in, a) -> dividedBy(in, a.get(0)));
    def("abs", 0, 0, (in, a) -> abs(Values.toNumber(in)));
    def("at_least", 1, 1, (in, a) -> pick(in, a.get(0), true));
    def("at_most", 1, 1, (in, a) -> pick(in, a.get(0), false));
  }

  private Filters() {}

  private static void def(String name, int min, int max, Fn fn) {
    DEFS.put(name, new Def(name, min, max, fn));
  }

  /** The filter called {@code name}, or null if there is none. */
  static Def lookup(String name) {
    return DEFS.get(name);
  }

  private static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    int rest = Character.charCount(first);
    return new StringBuilder()
        .appendCodePoint(Character.toUpperCase(first))
        .append(s.substring(rest).toLowerCase(Locale.ROOT))
        .toString();
  }

  private static Long size(Object in) {
    if (in instanceof String s) {
      return (long) s.codePointCount(0, s.length());
    }
    if (in instanceof Collection<?> c) {
      return (long) c.size();
    }
    if (in instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    return 0L;
  }

  /**
   * {@link String#replace} that stops past {@link Template#MAX_VALUE_CHARS}: a replacement can
   * multiply the length (with an empty target, by the replacement's length), and chained
   * replacements would grow it exponentially.
   */
  static String replace(String s, String target, String replacement) {
    StringBuilder out = new StringBuilder();
    if (target.isEmpty()) {
      for (int i = 0; i <= s.length() && out.length() <= Template.MAX_VALUE_CHARS; i++) {
        out.append(replacement);
        if (i < s.length()) {
          out.append(s.charAt(i));
        }
      }
      return Values.clip(out, Template.MAX_VALUE_CHARS);
    }
    int from = 0;
    for (int at = s.indexOf(target);
        at >= 0 && out.length() <= Template.MAX_VALUE_CHARS;
        at = s.indexOf(target, from)) {
      out.append(s, from, at).append(replacement);
      from = at + target.length();
    }
    if (out.length() <= Template.MAX_VALUE_CHARS) {
      out.append(s, from, s.length());
    }
    return Values.clip(out, Template.MAX_VALUE_CHARS);
  }

  private static Object join(Object in, String sep) {
    if (in == null) {
      return null;
    }
    if (!(in instanceof Collection<?> c)) {
      return Values.render(in);
    }
    StringBuilder sb = new StringBuilder();
    boolean firstElement = true;
    for (Object e : c) {
      if (sb.length() > Template.MAX_VALUE_CHARS) {
        break; // a long list joined with a long separator
      }
      if (!firstElement) {
        sb.append(sep);
      }
      firstElement = false;
      sb.append(Values.render(e));
    }
    return Values.clip(sb, Template.MAX_VALUE_CHARS);
  }

  private static Object first(Object in) {
    if (in instanceof List<?> l) {
      return l.isEmpty() ? null : l.get(0);
    }
    if (in instanceof Collection<?> c) {
      Iterator<?> it = c.iterator();
      return it.hasNext() ? it.next() : null;
    }
    return null;
  }

  private static Object last(Object in) {
    if (in instanceof List<?> l) {
      return l.isEmpty() ? null : l.get(l.size() - 1);
    }
    if (in instanceof Collection<?> c) {
      Object last = null;
      for (Object e : c) {
        last = e;
      }
      return last;
    }
    return null;
  }

  private static Object truncate(Object in, List<Object> args) {
    if (in == null) {
      return null;
    }
    String s = Values.render(in);
    long length = 50;
    if (!args.isEmpty()) {
      Number n = Values.toNumber(args.get(0));
      if (n == null || (n instanceof Double d && !Double.isFinite(d))) {
        return s;
      }
      length = n.longValue();
    }
    String ellipsis = args.size() > 1 ? Values.render(args.get(1)) : "...";
    int chars = s.codePointCount(0, s.length());
    if (chars <= length) {
      return s;
    }
    long keep = Math.max(0, length - ellipsis.codePointCount(0, ellipsis.length()));
    return s.substring(0, s.offsetByCodePoints(0, (int) keep)) + ellipsis;
  }

  private static Object round(Object in, List<Object> args) {
    Number n = Values.toNumber(in);
    if (n == null) {
      return null;
    }
    long digits = 0;
    if (!args.isEmpty()) {
      Number d = Values.toNumber(args.get(0));
      if (d == null || (d instanceof Double dd && !Double.isFinite(dd))) {
        return null;
      }
      digits = Math.max(-400, Math.min(400, d.longValue()));
    }
    if (n instanceof Long l) {
      if (digits >= 0) {
        return l;
      }
      return BigDecimal.valueOf(l).setScale((int) digits, RoundingMode.HALF_UP).longValue();
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      return null;
    }
    if (digits == 0) {
      return Math.round(d);
    }
    BigDecimal rounded = BigDecimal.valueOf(d).setScale((int) digits, RoundingMode.HALF_UP);
    return digits > 0 ? (Object) rounded.doubleValue() : (Object) rounded.longValue();
  }

  private static Long toLong(Number n, java.util.function.DoubleUnaryOperator op) {
    if (n == null) {
      return null;
    }
    if (n instanceof Long l) {
      return l;
    }
    double d = n.doubleValue();
    return Double.isFinite(d) ? (long) op.applyAsDouble(d) : null;
  }

  private static Number arithmetic(
      Object in, Object arg, LongBinaryOperator longOp, BinaryOperator<Double> doubleOp) {
    Number a = Values.toNumber(in);
    Number b = Values.toNumber(arg);
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Long la && b instanceof Long lb) {
      try {
        return longOp.applyAsLong(la, lb);
      } catch (ArithmeticException overflow) {
        // fall through to floating point
      }
    }
    return doubleOp.apply(a.doubleValue(), b.doubleValue());
  }

  private static Number dividedBy(Object in, Object arg) {
    Number a = Values.toNumber(in);
    Number b = Values.toNumber(arg);
    if (a == null || b == null || b.doubleValue() == 0.0) {
      return null;
    }
    if (a instanceof Long la && b instanceof Long lb) {
      return Math.floorDiv(la, lb);
    }
    return a.doubleValue() / b.doubleValue();
  }

  private static Number abs(Number n) {
    if (n instanceof Long l) {
      return Math.abs(l);
    }
    return n == null ? null : (Number) Math.abs(n.doubleValue());
  }

  private static Number pick(Object in, Object arg, boolean atLeast) {
    Number a = Values.toNumber(in);
    Number b = Values.toNumber(arg);
    Integer c = Values.compareNumbers(a, b);
    if (c == null) {
      return null;
    }
    return atLeast ? (c >= 0 ? a : b) : (c <= 0 ? a : b);
  }
}
