package io.beckon.engine.rules;

import io.beckon.engine.journey.Journey;
import io.beckon.engine.journey.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binds a journey file ({@code kind: journey}, contract section 7): the keys it shares with rules,
 * {@code while_active} and its steps. A rule's {@code message}, {@code expire_after}, {@code
 * experiment} and {@code conversion} are errors here.
 */
final class JourneyBinder {
  static final int MAX_STEPS = 50;
  private static final Set<String> KEYS =
      RuleParser.with(HeaderBinder.KEYS, "kind", "while_active", "steps");
  private static final Set<String> RULES_ONLY =
      Set.of("message", "expire_after", "experiment", "conversion");

  private final Fields fields;
  private final ConditionBinder conditions;

  JourneyBinder(Fields fields, ConditionBinder conditions) {
    this.fields = fields;
    this.conditions = conditions;
  }

  Journey bind(YamlNode root) {
    for (String key : root.entries().keySet()) {
      if (RULES_ONLY.contains(key)) {
        fields.problems().invalidKey(root, key, "'" + key + "' is not allowed on journeys in v2");
      } else if (!KEYS.contains(key)) {
        fields.problems().invalidKey(root, key, "unknown key '" + key + "'");
      }
    }
    Header header = new HeaderBinder(fields, conditions).bind(root);
    Journey.WhileActive whileActive =
        Fields.optional(root, "while_active", this::whileActive, Journey.WhileActive.IGNORE);
    TemplateBinder templates = new TemplateBinder(fields, header.triggerKind());
    List<Step> steps = fields.required(root, "steps", s -> steps(s, templates));
    if (fields.failed()) {
      return null;
    }
    return new Journey(
        header.id(),
        header.version().intValue(),
        header.enabled(),
        header.priority().intValue(),
        header.trigger(),
        header.audience(),
        header.reentry(),
        whileActive,
        header.exitOn(),
        header.policies(),
        steps);
  }

  private Journey.WhileActive whileActive(YamlNode node) {
    String value = fields.oneOf(node, List.of("ignore", "restart"));
    return value == null ? null : Journey.WhileActive.valueOf(value.toUpperCase());
  }

  private List<Step> steps(YamlNode node, TemplateBinder templates) {
    List<YamlNode> elements = fields.nonEmptyList(node, "step");
    if (elements == null) {
      return null;
    }
    if (elements.size() > MAX_STEPS) {
      fields
          .problems()
          .invalid(node, elements.size() + " steps; a journey has at most " + MAX_STEPS);
      return null;
    }
    fields.uniqueIds(elements.stream().filter(YamlNode::isMap).toList(), "step");
    StepGraph graph = new StepGraph(fields, elements);
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      steps.add(new StepBinder(fields, conditions, templates, graph, i).bind(elements.get(i)));
    }
    graph.warnUnreachable();
    return steps.contains(null) ? null : List.copyOf(steps);
  }
}
