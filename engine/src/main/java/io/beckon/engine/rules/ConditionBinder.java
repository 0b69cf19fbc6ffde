package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.condition.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Binds conditions: {@code {attribute, op, value}} comparisons, each operator checked against its
 * value, and {@code all}/{@code any}/{@code not} groups. An audience is evaluated on the profile
 * (contract section 6), so it may name neither trigger variables nor event properties.
 */
final class ConditionBinder {
  private static final List<String> OPS = Arrays.stream(Op.values()).map(Op::spelling).toList();

  private final Fields fields;

  ConditionBinder(Fields fields) {
    this.fields = fields;
  }

  /** A condition on whatever its place gives: an event's properties, variables, the profile. */
  Condition bind(YamlNode node) {
    return bind(node, false);
  }

  /** A rule's audience: conditions on the profile only. */
  Condition audience(YamlNode node) {
    return bind(node, true);
  }

  private Condition bind(YamlNode node, boolean audience) {
    if (!fields.mapping(node)) {
      return null;
    }
    for (String group : List.of("all", "any")) {
      if (node.get(group) != null) {
        return group(node, group, audience);
      }
    }
    if (node.get("not") != null) {
      fields.onlyKeys(node, Set.of("not"));
      Condition inner = bind(node.get("not"), audience);
      return inner == null ? null : new Condition.Not(inner);
    }
    return compare(node, audience);
  }

  private Condition group(YamlNode node, String key, boolean audience) {
    fields.onlyKeys(node, Set.of(key));
    List<Condition> parts = Fields.each(fields.list(node.get(key)), c -> bind(c, audience));
    if (parts == null) {
      return null;
    }
    return key.equals("all") ? new Condition.All(parts) : new Condition.Any(parts);
  }

  private Condition compare(YamlNode node, boolean audience) {
    fields.onlyKeys(node, Set.of("attribute", "op", "value"));
    YamlNode attributeNode = fields.required(node, "attribute");
    String attribute = attributeNode == null ? null : fields.name(attributeNode);
    if (audience && attribute != null) {
      profileOnly(attributeNode, attribute);
    }
    Op op = fields.required(node, "op", o -> Op.parse(fields.oneOf(o, OPS)));
    YamlNode value = node.get("value");
    if (op != null) {
      checkValue(node, op, value);
    }
    if (fields.failed()) {
      return null;
    }
    return new Condition.Compare(attribute, op, op.unary() ? null : value.toValue());
  }

  /** Reports a value that does not suit the operator. */
  private void checkValue(YamlNode condition, Op op, YamlNode value) {
    Problems problems = fields.problems();
    if (value != null && value.isMap()) {
      problems.invalid(value, "expected a value or a list, got a mapping (key: value)");
      return;
    }
    String problem = valueProblem(op, value);
    if (problem != null) {
      problems.error(value == null ? condition : value, problem);
    } else if ((op == Op.EQ || op == Op.NE) && value.isList() && value.elements().isEmpty()) {
      problems.warning(value, "comparing with an empty list");
    }
  }

  private static String valueProblem(Op op, YamlNode value) {
    String name = op.spelling();
    return switch (op) {
      case EXISTS, NOT_EXISTS -> value == null ? null : "operator " + name + " takes no value";
      case GT, GTE, LT, LTE ->
          value != null && (value.scalar() instanceof Number || value.scalar() instanceof String)
              ? null
              : "operator " + name + " needs a number, a string or an ISO-8601 timestamp";
      case CONTAINS ->
          value != null && !value.isList() ? null : "operator contains needs a single value";
      case EQ, NE, IN, NOT_IN -> value != null ? null : "operator " + name + " needs a value";
    };
  }

  private void profileOnly(YamlNode at, String attribute) {
    if (Variables.triggerOnly(attribute)) {
      fields
          .problems()
          .error(
              at,
              "audience sees the profile only: '"
                  + attribute
                  + "' is a trigger variable (use message variants instead)");
    } else if (attribute.startsWith("event.")) {
      fields
          .problems()
          .error(at, "audience sees the profile only, not the event: '" + attribute + "'");
    }
  }
}
