package io.beckon.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The size limits of a rule, in one place. {@link RuleParser} checks them before it binds a rule,
 * for the validator and the job alike ({@link RulesValidator#validateRule} re-validates every
 * record in the job), so a hostile file written straight to the rules topic is rejected exactly as
 * {@code rules validate} reports it: with a position, never with an exception, a stack overflow or
 * minutes of CPU.
 *
 * <p>Each number is one or two orders of magnitude above what a real rule needs (the example rules
 * are under 1 KiB, their largest list has 3 items) and low enough that checking a file stays a
 * matter of seconds at worst (the whole hostile corpus of {@code RulesValidatorTest}, 10 MB file
 * included, takes about three) and every accepted rule fits comfortably in broadcast state on every
 * job instance.
 */
public final class RuleLimits {
  /**
   * A rule file (and a {@code policies.yaml}), in bytes of UTF-8: 256 KiB. Checked before the YAML
   * parser sees the text, so the other limits never have to cope with more. A hand-written rule is
   * a few KiB; 256 KiB still holds a dozen detailed city-district polygons.
   */
  public static final int FILE_BYTES = 256 * 1024;

  /**
   * A rule record on the rules topic, in bytes (wire format): 1 MiB, which is the file limit plus
   * ample room for the record's other fields, and Kafka's default {@code max.message.bytes}. A
   * larger record is rejected before it is decoded.
   */
  public static final int RECORD_BYTES = 1024 * 1024;

  /**
   * Nesting of YAML lists and mappings: 40. The deepest legal rule needs about 5 levels plus 2 per
   * condition group; a document nested deeper (e.g. 10,000 {@code [}) is rejected by the YAML
   * parser before it recurses, so nothing downstream can overflow the stack.
   */
  public static final int YAML_DEPTH = 40;

  /**
   * Uses of a YAML alias of a list or mapping ({@code *name} of {@code &name [...]}): 20. Enough to
   * reuse a condition a few times; an alias bomb ("billion laughs") needs many more.
   */
  public static final int YAML_COLLECTION_ALIASES = 20;

  /**
   * Lists, mappings and values of the document once aliases are expanded: 200,000. A file within
   * {@link #FILE_BYTES} without aliases has at most about 131,000 ({@code [1,1,1,...]}), so only
   * alias expansion can reach it; this caps the work of every later check.
   */
  public static final int YAML_NODES = 200_000;

  /** Fences of a {@code geofence_entered} trigger: 100 (a chain's stores in one city). */
  public static final int FENCES = 100;

  /**
   * Vertices of one polygon fence: 1,000. A district outline drawn on a map has tens to hundreds;
   * the self-intersection check is quadratic, so 1,000 costs about a million segment tests.
   */
  public static final int POLYGON_VERTICES = 1_000;

  /**
   * Items of a condition value list ({@code in}, {@code not_in}, or a list compared with {@code
   * eq}/{@code ne}): 1,000. Longer lists (user ids, SKU catalogues) belong in a user attribute or a
   * segment, not in a rule; each list is scanned at every fire.
   */
  public static final int CONDITION_LIST_ITEMS = 1_000;

  /**
   * Conditions of a rule, comparisons and groups together, over {@code trigger.where}, {@code
   * audience}, every variant's {@code when} and {@code conversion.where}: 200.
   */
  public static final int CONDITIONS = 200;

  /** Nesting of condition groups ({@code all}, {@code any}, {@code not}) inside each other: 8. */
  public static final int CONDITION_DEPTH = 8;

  /** Event types of {@code exit_on} and of {@code trigger.activity}: 100 each. */
  public static final int EVENT_TYPES = 100;

  /** Message variants, and experiment variants: 20 each (the first match wins; more is a bug). */
  public static final int VARIANTS = 20;

  /** Fallback channels: 4 (there are five channels, one of them the primary). */
  public static final int FALLBACK_CHANNELS = 4;

  /**
   * One template (a title or body), in characters: 8,192. A push title is ~50 characters, an SMS
   * 160, an email body that needs more belongs in the delivery worker's own template.
   */
  public static final int TEMPLATE_CHARS = 8_192;

  /**
   * A rendered title, in characters: 1,024. A longer rendering (a long attribute value, say) is
   * clipped at fire time, ending in "…", and the command is still sent: the contract has no
   * suppression reason for it and a marketer would rather see a clipped title than no message.
   */
  public static final int RENDERED_TITLE_CHARS = 1_024;

  /** A rendered body, in characters: 16,384; clipped like the title. */
  public static final int RENDERED_BODY_CHARS = 16_384;

  /**
   * The reason of a rejection on {@code rules-rejected}, and the rule id and file name it repeats,
   * in characters: 4,096 and 256. A hostile record cannot make its own rejection too big to write.
   */
  public static final int REJECTION_REASON_CHARS = 4_096;

  /** See {@link #REJECTION_REASON_CHARS}. */
  public static final int REJECTION_NAME_CHARS = 256;

  private RuleLimits() {}

  /** The size of a rule file; null when within {@link #FILE_BYTES}, else the problem. */
  static RuleException fileSize(String text) {
    // Cheap bound first: a char is at most three bytes of UTF-8 (a surrogate pair is four).
    if ((long) text.length() * 3 > FILE_BYTES) {
      long bytes = utf8Length(text);
      if (bytes > FILE_BYTES) {
        return fileSize(bytes);
      }
    }
    return null;
  }

  /** The problem of a file of {@code bytes} bytes, more than {@link #FILE_BYTES}. */
  static RuleException fileSize(long bytes) {
    return new RuleException(
        1,
        1,
        "the file is "
            + RuleLimits.count(bytes)
            + " bytes; a rule file may be at most "
            + RuleLimits.count(FILE_BYTES)
            + " bytes (256 KiB)");
  }

  /** A count as the messages print it: 10,485,760. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Every limit a parsed rule breaks, in document order. Tolerant of wrong types: it runs before
   * the rule is bound (so binding never sees an oversized document) and only looks at the parts
   * that have the expected shape.
   */
  static List<RuleException> check(YamlNode root) {
    List<RuleException> problems = new ArrayList<>();
    if (!root.isMap()) {
      return problems;
    }
    YamlNode trigger = root.get("trigger");
    int[] conditions = {0};
    if (trigger != null) {
      YamlNode fences = trigger.get("fences");
      if (fences != null && fences.isList()) {
        atMost(problems, fences, "trigger.fences", "fences", FENCES);
        for (int i = 0; i < fences.elements().size() && i < FENCES; i++) {
          YamlNode polygon = fences.elements().get(i).get("polygon");
          if (polygon != null && polygon.isList()) {
            atMost(
                problems,
                polygon,
                "trigger.fences[" + i + "].polygon",
                "vertices",
                POLYGON_VERTICES);
          }
        }
      }
      eventTypes(problems, trigger.get("activity"), "trigger.activity");
      condition(problems, trigger.get("where"), "trigger.where", 0, conditions);
    }
    eventTypes(problems, root.get("exit_on"), "exit_on");
    condition(problems, root.get("audience"), "audience", 0, conditions);
    message(problems, root.get("message"), "message", conditions);
    YamlNode steps = root.get("steps");
    if (steps != null && steps.isList()) {
      for (int i = 0; i < steps.elements().size() && i < JourneyBinder.MAX_STEPS; i++) {
        step(problems, steps.elements().get(i), "steps[" + i + "]", conditions);
      }
    }
    YamlNode experiment = root.get("experiment");
    if (experiment != null) {
      variants(problems, experiment.get("variants"), "experiment.variants", conditions);
    }
    YamlNode conversion = root.get("conversion");
    if (conversion != null) {
      condition(problems, conversion.get("where"), "conversion.where", 0, conditions);
    }
    if (conditions[0] > CONDITIONS) {
      problems.add(
          new RuleException(
              1,
              1,
              "the rule has "
                  + RuleLimits.count(conditions[0])
                  + " conditions; at most "
                  + CONDITIONS));
    }
    return problems;
  }

  private static void message(
      List<RuleException> problems, YamlNode message, String where, int[] conditions) {
    if (message == null || !message.isMap()) {
      return;
    }
    YamlNode fallback = message.get("fallback");
    if (fallback != null && fallback.isList()) {
      atMost(problems, fallback, where + ".fallback", "channels", FALLBACK_CHANNELS);
    }
    template(problems, message.get("title"), where + ".title");
    template(problems, message.get("body"), where + ".body");
    variants(problems, message.get("variants"), where + ".variants", conditions);
  }

  /** A journey's step: a send's message and audience, a wait_for's arms, a branch's routes. */
  private static void step(
      List<RuleException> problems, YamlNode step, String where, int[] conditions) {
    if (!step.isMap()) {
      return;
    }
    YamlNode send = step.get("send");
    message(problems, send, where + ".send", conditions);
    if (send != null && send.isMap()) {
      condition(problems, send.get("audience"), where + ".send.audience", 0, conditions);
    }
    YamlNode waitFor = step.get("wait_for");
    YamlNode arms = waitFor != null && waitFor.isMap() ? waitFor.get("events") : null;
    routes(problems, arms, "where", where + ".wait_for.events", conditions);
    routes(problems, step.get("branch"), "when", where + ".branch", conditions);
  }

  /** The arms of a wait_for or the routes of a branch, at most {@link #EVENT_TYPES} of them. */
  private static void routes(
      List<RuleException> problems, YamlNode list, String key, String where, int[] conditions) {
    if (list == null || !list.isList()) {
      return;
    }
    atMost(problems, list, where, key.equals("when") ? "routes" : "arms", EVENT_TYPES);

    for (int i = 0; i < list.elements().size() && i < EVENT_TYPES; i++) {
      YamlNode route = list.elements().get(i);
      if (route.isMap()) {
        condition(problems, route.get(key), where + "[" + i + "]." + key, 0, conditions);
      }
    }
  }

  private static void atMost(
      List<RuleException> problems, YamlNode list, String where, String what, int limit) {
    int size = list.elements().size();
    if (size > limit) {
      problems.add(
          list.error(
              where
                  + ": "
                  + RuleLimits.count(size)
                  + " "
                  + what
                  + "; at most "
                  + RuleLimits.count(limit)));
    }
  }

  private static void eventTypes(List<RuleException> problems, YamlNode list, String where) {
    if (list != null && list.isList()) {
      atMost(problems, list, where, "event types", EVENT_TYPES);
    }
  }

  private static void template(List<RuleException> problems, YamlNode node, String where) {
    if (node != null && node.scalar() instanceof String text && text.length() > TEMPLATE_CHARS) {
      int chars = text.codePointCount(0, text.length());
      if (chars > TEMPLATE_CHARS) {
        problems.add(
            node.error(
                where
                    + ": the template is "
                    + RuleLimits.count(chars)
                    + " characters; at most "
                    + RuleLimits.count(TEMPLATE_CHARS)));
      }
    }
  }

  private static void variants(
      List<RuleException> problems, YamlNode list, String where, int[] conditions) {
    if (list == null || !list.isList()) {
      return;
    }
    atMost(problems, list, where, "variants", VARIANTS);
    for (int i = 0; i < list.elements().size() && i < VARIANTS; i++) {
      YamlNode v = list.elements().get(i);
      String at = where + "[" + i + "]";
      condition(problems, v.get("when"), at + ".when", 0, conditions);
      template(problems, v.get("title"), at + ".title");
      template(problems, v.get("body"), at + ".body");
    }
  }

  private static void condition(
      List<RuleException> problems, YamlNode node, String where, int depth, int[] count) {
    if (node == null || !node.isMap()) {
      return;
    }
    count[0]++;
    for (String group : List.of("all", "any", "not")) {
      YamlNode inner = node.get(group);
      if (inner == null) {
        continue;
      }
      if (depth >= CONDITION_DEPTH) {
        problems.add(
            node.error(
                where + ": condition groups nested deeper than " + CONDITION_DEPTH + " levels"));
        return;
      }
      if (inner.isList()) {
        for (int i = 0; i < inner.elements().size(); i++) {
          condition(
              problems,
              inner.elements().get(i),
              where + "." + group + "[" + i + "]",
              depth + 1,
              count);
        }
      } else {
        condition(problems, inner, where + "." + group, depth + 1, count);
      }
      return;
    }
    YamlNode value = node.get("value");
    if (value != null && value.isList()) {
      atMost(problems, value, where + ".value", "items", CONDITION_LIST_ITEMS);
    }
  }
}
