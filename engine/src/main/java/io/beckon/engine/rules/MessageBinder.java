package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.template.Template;
import java.util.List;
import java.util.Set;

/** Binds a rule's message: channel and fallbacks, templates, and conditional variants. */
final class MessageBinder {
  private static final Set<String> KEYS =
      Set.of("channel", "fallback", "title", "body", "variants");

  private final Fields fields;
  private final ConditionBinder conditions;
  private final TemplateBinder templates;

  MessageBinder(Fields fields, ConditionBinder conditions, TemplateBinder templates) {
    this.fields = fields;
    this.conditions = conditions;
    this.templates = templates;
  }

  Rule.Message bind(YamlNode node) {
    return bind(node, Set.of());
  }

  /** A message whose mapping may also hold {@code others} keys (a journey's send step). */
  Rule.Message bind(YamlNode node, Set<String> others) {
    if (!fields.mapping(node, RuleParser.with(KEYS, others.toArray(String[]::new)))) {
      return null;
    }
    String channel = fields.required(node, "channel", this::channel);
    List<String> fallback = Fields.optional(node, "fallback", f -> fallback(f, channel), List.of());
    Template title = Fields.optional(node, "title", templates::bind, null);
    Template body = fields.required(node, "body", templates::bind);
    List<Rule.Variant> variants =
        Fields.optional(
            node, "variants", v -> Fields.each(fields.list(v), this::variant), List.of());
    return fields.failed() ? null : new Rule.Message(channel, fallback, title, body, variants);
  }

  private String channel(YamlNode node) {
    return fields.oneOf(node, Channels.ALL);
  }

  private List<String> fallback(YamlNode node, String channel) {
    List<YamlNode> elements = fields.list(node);
    if (elements == null) {
      return null;
    }
    fields.unique(elements);
    for (YamlNode element : elements) {
      if (channel != null && channel.equals(element.scalar())) {
        fields
            .problems()
            .warning(element, "fallback repeats the primary channel '" + channel + "'");
      }
    }
    return Fields.each(elements, this::channel);
  }

  private Rule.Variant variant(YamlNode node) {
    if (!fields.mapping(node, Set.of("when", "title", "body"))) {
      return null;
    }
    Condition when = fields.required(node, "when", conditions::bind);
    Template title = Fields.optional(node, "title", templates::bind, null);
    Template body = Fields.optional(node, "body", templates::bind, null);
    if (node.get("title") == null && node.get("body") == null) {
      fields.problems().warning(node, "this variant changes neither title nor body");
    }
    return fields.failed() ? null : new Rule.Variant(when, title, body);
  }
}
