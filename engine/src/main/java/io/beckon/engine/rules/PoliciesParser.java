package io.beckon.engine.rules;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code policies.yaml} into {@link Policies} with the readers of the rule grammar: every
 * problem at once, each at its position.
 */
public final class PoliciesParser {
  private static final Set<String> KEYS =
      Set.of("default_timezone", "quiet_hours", "frequency_caps");

  /** A bound {@code policies.yaml}: the policies, null when any problem is an error. */
  public record Result(Policies policies, List<Problem> problems) {}

  private final Fields fields;

  private PoliciesParser(Fields fields) {
    this.fields = fields;
  }

  /** Binds the text of a {@code policies.yaml}, named {@code file} in its problems. */
  public static Result read(String file, String yaml) {
    Problems problems = new Problems(file);
    YamlNode root = problems.parse(yaml);
    Policies policies = root == null ? null : new PoliciesParser(new Fields(problems)).bind(root);
    return new Result(policies, problems.sorted());
  }

  /** The policies of a {@code policies.yaml} text; throws the first error (in file order). */
  public static Policies parse(String yaml) {
    Result result = read("", yaml);
    RuleException first = Problems.firstError(result.problems());
    if (first != null) {
      throw first;
    }
    return result.policies();
  }

  private Policies bind(YamlNode root) {
    if (root.isScalar() && root.scalar() == null) {
      return Policies.NONE; // a document of its own saying nothing (~)
    }
    if (!fields.mapping(root, KEYS)) {
      return null;
    }
    ZoneId zone = Fields.optional(root, "default_timezone", this::zone, null);
    Policies.QuietHours quietHours = Fields.optional(root, "quiet_hours", this::quietHours, null);
    List<Policies.FrequencyCap> caps =
        Fields.optional(
            root, "frequency_caps", c -> Fields.each(fields.list(c), this::cap), List.of());
    return fields.failed() ? null : new Policies(zone, quietHours, caps);
  }

  private ZoneId zone(YamlNode node) {
    String id = fields.text(node);
    if (id != null && !ZoneId.getAvailableZoneIds().contains(id)) {
      fields.problems().invalid(node, "'" + id + "' is not an IANA time zone id");
      return null;
    }
    return id == null ? null : ZoneId.of(id);
  }

  /** Null also when start equals end: there are no quiet hours then. */
  private Policies.QuietHours quietHours(YamlNode node) {
    if (!fields.mapping(node, Set.of("start", "end"))) {
      return null;
    }
    LocalTime start = fields.required(node, "start", fields::timeOfDay);
    LocalTime end = fields.required(node, "end", fields::timeOfDay);
    return fields.failed() || start.equals(end) ? null : new Policies.QuietHours(start, end);
  }

  private Policies.FrequencyCap cap(YamlNode node) {
    if (!fields.mapping(node, Set.of("max", "per"))) {
      return null;
    }
    Long max = fields.required(node, "max", m -> fields.integer(m, 1, Integer.MAX_VALUE));
    Long per = fields.required(node, "per", fields::positiveDuration);
    return fields.failed() ? null : new Policies.FrequencyCap(max.intValue(), per);
  }
}
