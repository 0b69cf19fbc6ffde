package io.beckon.engine.rules;

import io.beckon.engine.time.Durations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed reads of the YAML values of rules and policies. A value of the wrong type, out of range or
 * not allowed is reported at its position and the read returns null, so binding goes on and one
 * pass finds every problem of a file. The words are the JSON Schema's ("expected a list, got text",
 * "'x' is not one of [...]") in a marketer's vocabulary.
 */
final class Fields {
  private final Problems problems;

  Fields(Problems problems) {
    this.problems = problems;
  }

  Problems problems() {
    return problems;
  }

  /** Whether the node is a mapping; reported when not. */
  boolean mapping(YamlNode node) {
    if (node.isMap()) {
      return true;
    }
    problems.invalid(node, expected("a mapping (key: value)", node));
    return false;
  }

  /** Whether the node is a mapping; every key of it outside {@code allowed} is reported. */
  boolean mapping(YamlNode node, Set<String> allowed) {
    if (!mapping(node)) {
      return false;
    }
    onlyKeys(node, allowed);
    return true;
  }

  /** Reports every key of a mapping outside {@code allowed}. */
  void onlyKeys(YamlNode map, Set<String> allowed) {
    for (String key : map.entries().keySet()) {
      if (!allowed.contains(key)) {
        problems.invalidKey(map, key, "unknown key '" + key + "'");
      }
    }
  }

  /**
   * Whether the file has an error so far. Binders build a part only while it has none: after the
   * first error, binding only looks for more problems.
   */
  boolean failed() {
    return problems.hasErrors();
  }

  /** The value of a key of a mapping; reported and null when absent. */
  YamlNode required(YamlNode map, String key) {
    YamlNode child = map.get(key);
    if (child == null) {
      problems.invalid(map, "missing required key '" + key + "'");
    }
    return child;
  }

  /** A required key's value as {@code read} reads it; null when absent or wrong. */
  <T> T required(YamlNode map, String key, Function<YamlNode, T> read) {
    YamlNode child = required(map, key);
    return child == null ? null : read.apply(child);
  }

  /** An optional key's value as {@code read} reads it, or {@code otherwise} when absent. */
  static <T> T optional(YamlNode map, String key, Function<YamlNode, T> read, T otherwise) {
    YamlNode child = map.get(key);
    return child == null ? otherwise : read.apply(child);
  }

  List<YamlNode> list(YamlNode node) {
    if (node.isList()) {
      return node.elements();
    }
    problems.invalid(node, expected("a list", node));
    return null;
  }

  /** A list of at least one element; {@code what} names an element in the message. */
  List<YamlNode> nonEmptyList(YamlNode node, String what) {
    List<YamlNode> elements = list(node);
    if (elements != null && elements.isEmpty()) {
      problems.invalid(node, "expected at least one " + what);
      return null;
    }
    return elements;
  }

  /** Every element as {@code read} reads it; null when a list is wrong or any element is. */
  static <T> List<T> each(List<YamlNode> elements, Function<YamlNode, T> read) {
    if (elements == null) {
      return null;
    }
    List<T> out = new ArrayList<>();
    elements.forEach(element -> out.add(read.apply(element)));
    return out.contains(null) ? null : List.copyOf(out);
  }

  /** Reports every mapping whose {@code id} repeats an earlier one's ({@code what} ids). */
  void uniqueIds(List<YamlNode> maps, String what) {
    Set<String> ids = new HashSet<>();
    for (YamlNode map : maps) {
      YamlNode id = map.get("id");
      if (id != null && id.scalar() instanceof String s && !ids.add(s)) {
        problems.error(id, "duplicate " + what + " id '" + s + "'");
      }
    }
  }

  /** Reports every element equal to an earlier one (lists whose items must be unique). */
  void unique(List<YamlNode> elements) {
    Map<Object, YamlNode> seen = new HashMap<>();
    for (YamlNode element : elements) {
      YamlNode earlier = seen.putIfAbsent(element.toValue(), element);
      if (earlier != null) {
        problems.invalid(element, "repeats " + earlier.path());
      }
    }
  }

  String text(YamlNode node) {
    if (node.scalar() instanceof String s) {
      return s;
    }
    problems.invalid(node, expected("text", node));
    return null;
  }

  /** Non-empty text: an event type, an attribute, a fence id. */
  String name(YamlNode node) {
    String s = text(node);
    if (s != null && s.isEmpty()) {
      problems.invalid(node, "must not be empty");
      return null;
    }
    return s;
  }

  /** Text that matches {@code pattern}; {@code rule} says what that is in words. */
  String matching(YamlNode node, Pattern pattern, String rule) {
    String s = text(node);
    if (s != null && !pattern.matcher(s).matches()) {
      problems.invalid(node, "'" + s + "' must be " + rule);
      return null;
    }
    return s;
  }

  String oneOf(YamlNode node, List<String> allowed) {
    if (node.scalar() instanceof String s && allowed.contains(s)) {
      return s;
    }
    problems.invalid(
        node,
        node.isScalar()
            ? show(node) + " is not one of " + allowed
            : expected("one of " + allowed, node));
    return null;
  }

  Boolean bool(YamlNode node) {
    if (node.scalar() instanceof Boolean b) {
      return b;
    }
    problems.invalid(node, expected("true or false", node));
    return null;
  }

  Long integer(YamlNode node, long min, long max) {
    if (!(node.scalar() instanceof Long l)) {
      problems.invalid(node, expected("a whole number", node));
      return null;
    }
    return within(node, l, min, max) ? l : null;
  }

  Double number(YamlNode node, double min, double max) {
    if (!(node.scalar() instanceof Number n)) {
      problems.invalid(node, expected("a number", node));
      return null;
    }
    return within(node, n.doubleValue(), min, max) ? n.doubleValue() : null;
  }

  /** A number greater than 0 and at most {@code max}. */
  Double positive(YamlNode node, double max) {
    if (node.scalar() instanceof Number n && n.doubleValue() <= 0) {
      problems.invalid(node, show(node) + " must be greater than 0");
      return null;
    }
    return number(node, 0, max);
  }

  /** A duration in milliseconds. */
  Long duration(YamlNode node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    // Durations forgives surrounding spaces (they end lines of config files); the grammar does not.
    if (!text.equals(text.strip())) {
      problems.invalid(node, Durations.notADuration(text));
      return null;
    }
    try {
      return Durations.parseMillis(text);
    } catch (IllegalArgumentException e) {
      problems.invalid(node, e.getMessage());
      return null;
    }
  }

  /** A time of day {@code HH:MM}, 00:00 to 23:59. */
  java.time.LocalTime timeOfDay(YamlNode node) {
    String text = text(node);
    if (text != null && !TIME_OF_DAY.matcher(text).matches()) {
      problems.invalid(node, "'" + text + "' is not a time of day (HH:MM, 00:00 to 23:59)");
      return null;
    }
    return text == null ? null : java.time.LocalTime.parse(text);
  }

  /** A duration with an optional sign ({@code -7d}, {@code +30d}, {@code 1h}), in milliseconds. */
  Long signedDuration(YamlNode node) {
    String text = text(node);
    if (text == null) {
      return null;
    }
    boolean negative = text.startsWith("-");
    String unsigned = negative || text.startsWith("+") ? text.substring(1) : text;
    try {
      if (!unsigned.equals(unsigned.strip())) {
        throw new IllegalArgumentException();
      }
      long millis = Durations.parseMillis(unsigned);
      return negative ? -millis : millis;
    } catch (IllegalArgumentException e) {
      problems.invalid(
          node,
          "'"
              + text
              + "' is not a duration: use an optional sign, a whole number and s, m, h or d"
              + " (e.g. -7d, 30d)");
      return null;
    }
  }

  private static final java.util.regex.Pattern TIME_OF_DAY =
      java.util.regex.Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

  /** A duration longer than 0s, in milliseconds (windows). */
  Long positiveDuration(YamlNode node) {
    Long millis = duration(node);
    if (millis != null && millis <= 0) {
      problems.invalid(node, "must be longer than 0s");
      return null;
    }
    return millis;
  }

  private boolean within(YamlNode node, double value, double min, double max) {
    if (value < min) {
      problems.invalid(node, show(node) + " is too small (minimum " + show(min) + ")");
      return false;
    }
    if (value > max) {
      problems.invalid(node, show(node) + " is too large (maximum " + show(max) + ")");
      return false;
    }
    return true;
  }

  private static String expected(String what, YamlNode node) {
    return "expected " + what + ", got " + typeOf(node);
  }

  /** What a value is, in YAML words. */
  private static String typeOf(YamlNode node) {
    if (node.isMap()) {
      return "a mapping (key: value)";
    }
    if (node.isList()) {
      return "a list";
    }
    Object value = node.scalar();
    if (value instanceof String) {
      return "text";
    }
    if (value instanceof Long) {
      return "a whole number";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "true or false";
    }
    return "nothing";
  }

  /** A scalar as messages quote it: text in quotes, numbers as written. */
  static String show(YamlNode node) {
    return node.scalar() instanceof String s ? "'" + s + "'" : String.valueOf(node.scalar());
  }

  private static String show(double limit) {
    return limit == Math.rint(limit) ? String.valueOf((long) limit) : String.valueOf(limit);
  }
}
