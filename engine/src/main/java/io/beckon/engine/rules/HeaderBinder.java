package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the keys rules and journeys share: id, version, enabled, priority, description, trigger,
 * audience, exit_on, reentry and policies. The caller checks which keys its file may have.
 */
final class HeaderBinder {
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{3,64}");

  /** The keys {@link #bind} reads. */
  static final Set<String> KEYS =
      Set.of(
          "id",
          "version",
          "enabled",
          "priority",
          "description",
          "trigger",
          "audience",
          "exit_on",
          "reentry",
          "policies");

  private final Fields fields;
  private final ConditionBinder conditions;

  HeaderBinder(Fields fields, ConditionBinder conditions) {
    this.fields = fields;
    this.conditions = conditions;
  }

  Header bind(YamlNode root) {
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
    Condition audience = Fields.optional(root, "audience", conditions::audience, null);
    List<Rule.ExitOn> exitOn = Fields.optional(root, "exit_on", this::exitOn, List.of());
    Rule.Reentry reentry = Fields.optional(root, "reentry", this::reentry, Rule.Reentry.NONE);
    Rule.Overrides policies =
        Fields.optional(root, "policies", this::overrides, Rule.Overrides.NONE);
    return new Header(
        id, version, enabled, priority, kind, trigger, audience, exitOn, reentry, policies);
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
}
