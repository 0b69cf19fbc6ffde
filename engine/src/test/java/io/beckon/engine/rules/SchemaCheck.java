package io.beckon.engine.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.beckon.engine.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a YAML document against one of the published JSON Schemas ({@code schemas/*.schema.json},
 * the same files editors use), reporting each violation at the YAML position it refers to. The
 * product reads rules and policies with its parsers; this holds the schemas to agree with them.
 */
final class SchemaCheck {
  private final JsonSchema schema;

  /** {@code name}: a schema file of the {@code schemas} module, e.g. {@code rule.schema.json}. */
  SchemaCheck(String name) {
    try (InputStream in = SchemaCheck.class.getResourceAsStream("/io/beckon/schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("schema " + name + " is not on the classpath");
      }
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Problem> check(String file, YamlNode document) {
    JsonNode json = Json.toNode(document.toValue());
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : schema.validate(json)) {
      YamlNode at = locate(document, m);
      problems.add(Problem.error(file, at, describe(m)));
    }
    return problems;
  }

  /** The YAML node a violation refers to: the offending property for "unknown key" errors. */
  private static YamlNode locate(YamlNode document, ValidationMessage m) {
    YamlNode node = document;
    YamlNode parent = null;
    String lastKey = null;
    var path = m.getInstanceLocation();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      parent = node;
      if (element instanceof Number index) {
        List<YamlNode> elements = node.elements();
        node = index.intValue() < elements.size() ? elements.get(index.intValue()) : node;
        lastKey = null;
      } else {
        lastKey = String.valueOf(element);
        YamlNode child = node.get(lastKey);
        node = child != null ? child : node;
      }
    }
    if ("additionalProperties".equals(m.getType()) && m.getProperty() != null) {
      return node.key(m.getProperty());
    }
    if ("false".equals(m.getType()) && parent != null && lastKey != null) {
      return parent.key(lastKey); // a key the schema forbids here, as journeys forbid message
    }
    return node;
  }

  /** JSON Schema type names in YAML words. */
  private static String typeName(Object type) {
    String t = String.valueOf(type);
    return switch (t) {
      case "object" -> "a mapping (key: value)";
      case "array" -> "a list";
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      case "string" -> "text";
      case "null" -> "nothing";
      default -> t;
    };
  }

  /** Marketer-readable text for the common keywords; the library's wording otherwise. */
  private static String describe(ValidationMessage m) {
    String location = m.getInstanceLocation().toString();
    String where = location.equals("$") ? "" : location.substring(2) + ": ";
    JsonNode value = m.getInstanceNode();
    String shown =
        value == null ? "?" : value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
    Object[] args = m.getArguments() == null ? new Object[0] : m.getArguments();
    switch (m.getType()) {
      case "additionalProperties":
        return where + "unknown key '" + m.getProperty() + "'";
      case "false":
        return where + "not allowed here";
      case "required":
        return where + "missing required key '" + m.getProperty() + "'";
      case "enum":
        return where
            + shown
            + " is not one of "
            + String.valueOf(args.length > 0 ? args[0] : "").replace("\"", "");
      case "const":
        return where + shown + " must be " + (args.length > 0 ? args[0] : "");
      case "pattern":
        if (String.valueOf(args.length > 0 ? args[0] : "").contains("[smhd]")) {
          return where
              + shown
              + " is not a duration: use a whole number and s, m, h or d (e.g. 90m, 7d)";
        }
        if (String.valueOf(args.length > 0 ? args[0] : "").contains("[0-5][0-9]")) {
          return where + shown + " is not a time of day (HH:MM, 00:00 to 23:59)";
        }
        return where + shown + " does not match " + (args.length > 0 ? args[0] : "");
      case "minimum":
        return where + shown + " is too small (minimum " + (args.length > 0 ? args[0] : "") + ")";
      case "exclusiveMinimum":
        return where + shown + " must be greater than " + (args.length > 0 ? args[0] : "");
      case "maximum":
        return where + shown + " is too large (maximum " + (args.length > 0 ? args[0] : "") + ")";
      case "type":
        return where
            + "expected "
            + typeName(args.length > 1 ? args[1] : null)
            + ", got "
            + typeName(args.length > 0 ? args[0] : null);
      default:
        String text = m.getMessage();
        return text.startsWith(location + ": ")
            ? where + text.substring(location.length() + 2)
            : text;
    }
  }
}
