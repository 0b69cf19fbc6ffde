package io.beckon.engine.rules;

import io.beckon.engine.template.Template;
import io.beckon.engine.template.TemplateException;

/**
 * Binds a rule's titles and bodies. A Liquid error is reported where it stands in the file; a
 * variable the rule cannot have is an error when it reads an event outside an event rule and a
 * warning otherwise (it may be a custom attribute).
 */
final class TemplateBinder {
  private final Fields fields;
  private final String kind;

  /** {@code kind}: the rule's trigger kind, or null when it is invalid (variables unchecked). */
  TemplateBinder(Fields fields, String kind) {
    this.fields = fields;
    this.kind = kind;
  }

  Template bind(YamlNode node) {
    String text = fields.text(node);
    if (text == null) {
      return null;
    }
    try {
      Template template = Template.parse(text);
      if (kind != null) {
        template.variables().forEach(variable -> checkVariable(variable, node));
      }
      return template;
    } catch (TemplateException e) {
      // Position inside a one-line scalar: shift by the scalar's column (quotes included).
      int line = node.line() + e.line() - 1;
      int column = e.line() == 1 ? node.column() + e.column() : e.column();
      fields.problems().error(line, column, "template: " + e.getMessage());
      return null;
    }
  }

  private void checkVariable(String variable, YamlNode at) {
    if (Variables.known(variable, kind)) {
      return;
    }
    if (Variables.ofEvent(variable)) {
      fields
          .problems()
          .error(at, "'" + variable + "' is only available to rules with trigger kind event");
      return;
    }
    fields
        .problems()
        .warning(
            at,
            "unknown variable '"
                + variable
                + "': not a computed property or trigger variable (fine if it is a custom attribute)");
  }
}
