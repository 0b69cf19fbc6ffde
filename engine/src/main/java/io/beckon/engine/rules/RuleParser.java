package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.time.Durations;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule grammar: binds one rule file into a {@link Rule} in a single walk of its YAML, finding
 * every problem on the way (unknown keys, wrong types and values, and what only a reader of the
 * whole rule can tell: crossing polygons, operators against values, templates and their variables),
 * each at its line and column. A rule is either fully understood or not built. The validator,
 * {@code rules publish}, replay and the job all read rules here.
 */
public final class RuleParser {
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{3,64}");
  private static final long DEFAULT_EXPIRY = Durations.DAY;
  private static final Set<String> RULE_KEYS =
      Set.of(
          "id",
          "version",
          "enabled",
          "priority",
          "trigger",
          "audience",
          "exit_on",
          "reentry",
          "expire_after",
          "message",
          "policies",
          "description",
          "experiment",
          "conversion");

  /**
   * A bound rule file: the rule, null when any problem is an error, and every problem (errors and
   * warnings) in file order.
   */
  public record Result(Rule rule, List<Problem> problems) {}

  private final Fields fields;
  private final ConditionBinder conditions;

  private RuleParser(Fields fields) {
    this.fields = fields;
    this.conditions = new ConditionBinder(fields);
  }

  /** Binds the text of a rule file, named {@code file} in its problems. */
  public static Result read(String file, String yaml) {
    return read(file, yaml, true);
  }

  /** Parses the text of a rule file; throws the first error (in file order). */
  public static Rule parse(String yaml) {
    return orThrow(read("", yaml, true));
  }

  /**
   * Parses a rule that was accepted before (the job's restored state) without the size checks of
   * {@link RuleLimits}: a rule accepted under older, higher limits keeps running after an upgrade
   * that lowers them, until its next version, instead of failing the job at every restore.
   */
  public static Rule parseAccepted(String yaml) {
    return orThrow(read("", yaml, false));
  }

  private static Result read(String file, String yaml, boolean limits) {
    Problems problems = new Problems(file);
    YamlNode root = problems.parse(yaml);
    if (root == null || (limits && tooLarge(root, problems))) {
      return new Result(null, problems.sorted());
    }
    Rule rule = new RuleParser(new Fields(problems)).bind(root);
    return new Result(rule, problems.sorted());
  }

  /** The first gate: binding never sees a rule beyond {@link RuleLimits}. */
  private static boolean tooLarge(YamlNode root, Problems problems) {
    List<RuleException> broken = RuleLimits.check(root);
    broken.forEach(problems::error);
    return !broken.isEmpty();
  }

  private static Rule orThrow(Result result) {
    RuleException first = Problems.firstError(result.problems());
    if (first != null) {
      throw first;
    }
    return result.rule();
  }

  private Rule bind(YamlNode root) {
    if (!fields.mapping(root, RULE_KEYS)) {
      return null;
    }
    String id =
        fields.required(
            root, "id", n -> fields.matching(n, ID, "3 to 64 characters: a-z, 0-9 and '-'"));
    Long version = fields.required(root, "version", n -> fields.integer(n, 1, Integer.MAX_VALUE));
    Boolean enabled = Fields.optional(root, "enabled", fields::bool, true);
    Long priority =
        Fields.optional(
            root, "priority", n -> fields.integer(n, Integer.MIN_VALUE, Integer.MAX_VALUE), 0L);
    Fields.optional(root, "description", fields::text, "");
    TriggerBinder triggers = new TriggerBinder(fields, conditions);
    YamlNode triggerNode = fields.required(root, "trigger");
    String kind = triggerNode == null ? null : triggers.kind(triggerNode);
    Trigger trigger = kind == null ? null : triggers.bind(triggerNode, kind);
    TemplateBinder templates = new TemplateBinder(fields, kind);
    Condition audience = Fields.optional(root, "audience", conditions::audience, null);
    List<Rule.ExitOn> exitOn = Fields.optional(root, "exit_on", this::exitOn, List.of());
    Rule.Reentry reentry = Fields.optional(root, "reentry", this::reentry, Rule.Reentry.NONE);
    Long expireAfter = Fields.optional(root, "expire_after", fields::duration, DEFAULT_EXPIRY);
    Rule.Message message =
        fields.required(root, "message", new MessageBinder(fields, conditions, templates)::bind);
    Rule.Overrides policies =
        Fields.optional(root, "policies", this::overrides, Rule.Overrides.NONE);
    Experiment experiment =
        Fields.optional(root, "experiment", new ExperimentBinder(fields, templates)::bind, null);
    Conversion conversion = Fields.optional(root, "conversion", this::conversion, null);
    if (fields.failed()) {
      return null;
    }
    return new Rule(
        id,
        version.intValue(),
        enabled,
        priority.intValue(),
        trigger,
        audience,
        exitOn,
        reentry,
        expireAfter,
        message,
        policies,
        experiment,
        conversion);
  }

  private List<Rule.ExitOn> exitOn(YamlNode node) {
    List<YamlNode> entries = fields.list(node);
    if (entries == null) {
      return null;
    }
    fields.unique(entries);
    return Fields.each(entries, this::exit);
  }

  /** An event type, or {@code {event, where}}. */
  private Rule.ExitOn exit(YamlNode node) {
    if (!node.isMap()) {
      String event = fields.name(node);
      return event == null ? null : new Rule.ExitOn(event, null);
    }
    fields.onlyKeys(node, Set.of("event", "where"));
    String event = fields.required(node, "event", fields::name);
    Condition where = Fields.optional(node, "where", conditions::bind, null);
    return fields.failed() ? null : new Rule.ExitOn(event, where);
  }

  /** {@code {once: true}} or {@code {cooldown: D}}. */
  private Rule.Reentry reentry(YamlNode node) {
    if (!fields.mapping(node, Set.of("once", "cooldown"))) {
      return null;
    }
    if (node.get("once") != null) {
      if (node.get("cooldown") != null) {
        fields.problems().invalidKey(node, "cooldown", "use either once or cooldown, not both");
      }
      Boolean once = fields.bool(node.get("once"));
      return fields.failed() ? null : new Rule.Reentry(once, 0);
    }
    Long cooldown = fields.required(node, "cooldown", fields::duration);
    return fields.failed() ? null : new Rule.Reentry(false, cooldown);
  }

  /** {@code policies:}, where a transactional rule ignores quiet hours or frequency caps. */
  private Rule.Overrides overrides(YamlNode node) {
    if (!fields.mapping(node, Set.of("quiet_hours", "frequency_caps"))) {
      return null;
    }
    Boolean quietHours = Fields.optional(node, "quiet_hours", this::ignore, false);
    Boolean frequencyCaps = Fields.optional(node, "frequency_caps", this::ignore, false);
    return fields.failed() ? null : new Rule.Overrides(quietHours, frequencyCaps);
  }

  private Boolean ignore(YamlNode node) {
    if ("ignore".equals(node.scalar())) {
      return true;
    }
    fields.problems().invalid(node, "the only setting a rule can give a policy is 'ignore'");
    return null;
  }

  private Conversion conversion(YamlNode node) {
    if (!fields.mapping(node, Set.of("event", "where", "within"))) {
      return null;
    }
    String event = fields.required(node, "event", fields::name);
    Condition where = Fields.optional(node, "where", conditions::bind, null);
    Long within = fields.required(node, "within", fields::positiveDuration);
    return fields.failed() ? null : new Conversion(event, where, within);
  }
}
