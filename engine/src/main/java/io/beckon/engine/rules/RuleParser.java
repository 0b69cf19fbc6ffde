package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.time.Durations;
import java.util.List;
import java.util.Set;

/**
 * The rule grammar: binds one rule file into a {@link Rule}, or with {@code kind: journey} into a
 * {@link Journey} (contract section 7; {@code kind: rule} is the default and may be written), in a
 * single walk of its YAML, finding every problem on the way (unknown keys, wrong types and values,
 * and what only a reader of the whole file can tell: crossing polygons, operators against values,
 * templates and their variables, a journey's targets), each at its line and column. A rule is
 * either fully understood or not built. The validator, {@code rules publish}, replay and the job
 * all read rules and journeys here.
 */
public final class RuleParser {
  private static final long DEFAULT_EXPIRY = Durations.DAY;
  private static final String RULE = "rule";
  private static final String JOURNEY = "journey";

  private static final Set<String> JOURNEY_ONLY = Set.of("steps", "while_active");
  private static final Set<String> RULE_KEYS =
      with(HeaderBinder.KEYS, "kind", "expire_after", "message", "experiment", "conversion");

  /**
   * A bound rule file: the rule, null when any problem is an error or the file is a journey; the
   * journey of a {@code kind: journey} file, null when any problem is an error; and every problem
   * (errors and warnings) in file order.
   */
  public record Result(Rule rule, Journey journey, List<Problem> problems) {
    public Result(Rule rule, List<Problem> problems) {
      this(rule, null, problems);
    }

    /** The rule's or journey's id; only for a file without errors. */
    public String id() {
      return rule != null ? rule.id() : journey.id();
    }

    /** The rule's or journey's version; only for a file without errors. */
    public int version() {
      return rule != null ? rule.version() : journey.version();
    }

    /** Whether the rule or journey is enabled; only for a file without errors. */
    public boolean enabled() {
      return rule != null ? rule.enabled() : journey.enabled();
    }
  }

  private final Fields fields;
  private final ConditionBinder conditions;
  private Rule rule;
  private Journey journey;

  private RuleParser(Fields fields) {
    this.fields = fields;
    this.conditions = new ConditionBinder(fields);
  }

  /** Binds the text of a rule or journey file, named {@code file} in its problems. */
  public static Result read(String file, String yaml) {
    return read(file, yaml, true);
  }

  /** Parses the text of a rule file; throws the first error (in file order). */
  public static Rule parse(String yaml) {
    return orThrow(read("", yaml, true)).rule();
  }

  /** Reads the text of a rule or journey file; throws the first error (in file order). */
  public static Result readValid(String yaml) {
    return orThrow(read("", yaml, true));
  }

  /**
   * Reads a rule or journey that was accepted before (the job's restored state) without the size
   * checks of {@link RuleLimits}, throwing its first error: a rule accepted under older, higher
   * limits keeps running after an upgrade that lowers them, until its next version, instead of
   * failing the job at every restore.
   */
  public static Result readAccepted(String yaml) {
    return orThrow(read("", yaml, false));
  }

  private static Result read(String file, String yaml, boolean limits) {
    Problems problems = new Problems(file);
    RuleParser parser = bound(problems, yaml, limits);
    if (parser == null || problems.hasErrors()) {
      return new Result(null, null, problems.sorted());
    }
    return new Result(parser.rule, parser.journey, problems.sorted());
  }

  /** The parser after binding {@code yaml}; null when it is no YAML or breaks the limits. */
  private static RuleParser bound(Problems problems, String yaml, boolean limits) {
    YamlNode root = problems.parse(yaml);
    if (root == null || (limits && tooLarge(root, problems))) {
      return null;
    }
    RuleParser parser = new RuleParser(new Fields(problems));
    parser.bind(root);
    return parser;
  }

  static Set<String> with(Set<String> keys, String... more) {
    Set<String> out = new java.util.HashSet<>(keys);
    out.addAll(List.of(more));
    return Set.copyOf(out);
  }

  /** The first gate: binding never sees a rule beyond {@link RuleLimits}. */
  private static boolean tooLarge(YamlNode root, Problems problems) {
    List<RuleException> broken = RuleLimits.check(root);
    broken.forEach(problems::error);
    return !broken.isEmpty();
  }

  private static Result orThrow(Result result) {
    RuleException first = Problems.firstError(result.problems());
    if (first != null) {
      throw first;
    }
    return result;
  }

  /** Binds a rule or, with {@code kind: journey}, a journey. */
  private void bind(YamlNode root) {
    if (!fields.mapping(root)) {
      return;
    }
    YamlNode kindNode = root.get("kind");
    String kind = kindNode == null ? RULE : fields.oneOf(kindNode, List.of(RULE, JOURNEY));
    if (JOURNEY.equals(kind)) {
      journey = new JourneyBinder(fields, conditions).bind(root);
    } else {
      rule = bindRule(root);
    }
  }

  private Rule bindRule(YamlNode root) {
    for (String key : JOURNEY_ONLY) {
      if (root.get(key) != null) {
        fields.problems().invalidKey(root, key, "'" + key + "' is for journeys (kind: journey)");
      }
    }
    fields.onlyKeys(root, with(RULE_KEYS, JOURNEY_ONLY.toArray(String[]::new)));
    Header header = new HeaderBinder(fields, conditions).bind(root);
    TemplateBinder templates = new TemplateBinder(fields, header.triggerKind());
    Long expireAfter = Fields.optional(root, "expire_after", fields::duration, DEFAULT_EXPIRY);
    Rule.Message message =
        fields.required(root, "message", new MessageBinder(fields, conditions, templates)::bind);
    Experiment experiment =
        Fields.optional(root, "experiment", new ExperimentBinder(fields, templates)::bind, null);
    Conversion conversion = Fields.optional(root, "conversion", this::conversion, null);
    if (fields.failed()) {
      return null;
    }
    return new Rule(
        header.id(),
        header.version().intValue(),
        header.enabled(),
        header.priority().intValue(),
        header.trigger(),
        header.audience(),
        header.exitOn(),
        header.reentry(),
        expireAfter,
        message,
        header.policies(),
        experiment,
        conversion);
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
