package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rule grammar: binds one rule file into a {@link Rule}, or with {@code kind: journey} into a
 * {@link Journey} (contract section 7; {@code kind: rule} is the default and may be written), in a
 * single walk of its YAML, finding every problem on the way (unknown keys, wrong types and values,
 * and what only a reader of the whole file can tell: crossing polygons, operators against values,
 * templates and their variables, a journey's targets), each at its line and column. A rule is
 * either fully understood or not built. The validator, {@code rules publish}, replay and the job
 * all read rules here; journeys are checked but not run yet ({@link #JOURNEYS_NOT_RUN}).
 */
public final class RuleParser {
  private static final long DEFAULT_EXPIRY = Durations.DAY;
  private static final String RULE = "rule";
  private static final String JOURNEY = "journey";

  /** Why the job rejects a journey that the grammar accepts; reported last for its file. */
  public static final String JOURNEYS_NOT_RUN =
      "journeys are checked but not run by this Beckon version yet (contract section 7)";

  private static final Set<String> JOURNEY_ONLY = Set.of("steps", "while_active");
  private static final Set<String> RULE_KEYS =
      with(HeaderBinder.KEYS, "kind", "expire_after", "message", "experiment", "conversion");

  /**
   * A bound rule file: the rule, null when any problem is an error or the file is a journey; the
   * journey of a {@code kind: journey} file, null when its own grammar has an error; and every
   * problem (errors and warnings) in file order. Through {@link #read}, a journey file's problems
   * end with {@link #JOURNEYS_NOT_RUN}, so nothing that runs rules takes it.
   */
  public record Result(Rule rule, Journey journey, List<Problem> problems) {
    public Result(Rule rule, List<Problem> problems) {
      this(rule, null, problems);
    }
  }

  private final Fields fields;
  private final ConditionBinder conditions;
  private Rule rule;
  private Journey journey;
  private YamlNode journeyKind;

  private RuleParser(Fields fields) {
    this.fields = fields;
    this.conditions = new ConditionBinder(fields);
  }

  /**
   * Binds the text of a rule file, named {@code file} in its problems, as this version runs it: a
   * journey file gets every problem of its own, then the error {@link #JOURNEYS_NOT_RUN}.
   */
  public static Result read(String file, String yaml) {
    return read(file, yaml, true);
  }

  /**
   * Binds the text of a rule or journey file by the grammar alone: a journey without problems of
   * its own has none (the schema, tests and the lifetime read journeys this way).
   */
  public static Result bind(String file, String yaml) {
    Problems problems = new Problems(file);
    RuleParser parser = bound(problems, yaml, true);
    return new Result(
        parser == null ? null : parser.rule,
        parser == null ? null : parser.journey,
        problems.sorted());
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
    RuleParser parser = bound(problems, yaml, limits);
    if (parser == null || parser.journeyKind == null) {
      return new Result(parser == null ? null : parser.rule, problems.sorted());
    }
    List<Problem> all = new ArrayList<>(problems.sorted());
    all.add(Problem.error(file, parser.journeyKind, JOURNEYS_NOT_RUN));
    return new Result(null, parser.journey, List.copyOf(all));
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

  /** Whether a problem is the one {@link #read} adds to every journey file. */
  public static boolean journeyNotRun(Problem problem) {
    return problem.isError() && problem.message().equals(JOURNEYS_NOT_RUN);
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

  private static Rule orThrow(Result result) {
    RuleException first = Problems.firstError(result.problems());
    if (first != null) {
      throw first;
    }
    return result.rule();
  }

  /** Binds a rule or, with {@code kind: journey}, a journey. */
  private void bind(YamlNode root) {
    if (!fields.mapping(root)) {
      return;
    }
    YamlNode kindNode = root.get("kind");
    String kind = kindNode == null ? RULE : fields.oneOf(kindNode, List.of(RULE, JOURNEY));
    if (JOURNEY.equals(kind)) {
      journeyKind = kindNode;
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
