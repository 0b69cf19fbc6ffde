package io.beckon.engine.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to and from Beckon's value model: null, String, Long, Double, Boolean, List, Map (insertion
 * ordered) and Instant (rendered as ISO-8601). One place so every part agrees on number types.
 */
public final class Json {
  /**
   * How deep the parser goes before it gives up. Above the contract's 16 for {@code properties} (a
   * replay line adds a level, and the validator names the limit for depths 17 to this), low enough
   * that no input can make the tree walks below overflow the stack.
   */
  public static final int MAX_PARSE_DEPTH = 32;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_PARSE_DEPTH).build())
                  .build())
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /**
   * Parses JSON text into the value model. An integer beyond a long becomes a double (infinite if
   * it overflows that too: the event validator rejects it by name).
   */
  public static Object parse(String text) throws JsonProcessingException {
    return toValue(MAPPER.readTree(text));
  }

  /**
   * Why {@code text} did not parse, for a reader: Jackson's message without its location, or the
   * limit that was hit. NaN and Infinity are not JSON, so they never parse.
   */
  public static String problem(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (e instanceof StreamConstraintsException && message.contains("nesting depth")) {
      return "nested deeper than the limit of 16 levels";
    }
    if (message.startsWith("Non-standard token '")) {
      int end = message.indexOf('\'', 20);
      return message.substring(20, end < 0 ? message.length() : end)
          + " is not a number: every number must be finite";
    }
    return message;
  }

  /** Parses JSON text that must hold an object; null text gives an empty map. */
  public static Map<String, Object> parseObject(String text) {
    if (text == null || text.isEmpty()) {
      return new LinkedHashMap<>();
    }
    try {
      Object value = parse(text);
      if (value instanceof Map<?, ?> map) {
        return asStringMap(map);
      }
      throw new IllegalArgumentException("not a JSON object");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asStringMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  /** Converts a Jackson tree into the value model. */
  public static Object toValue(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(element -> list.add(toValue(element)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      map.put(field.getKey(), toValue(field.getValue()));
    }
    return map;
  }

  /** Converts a value of the model into a Jackson tree. */
  public static JsonNode toNode(Object value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    }
    if (value instanceof String s) {
      return f.textNode(s);
    }
    if (value instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (value instanceof Long l) {
      return f.numberNode(l);
    }
    if (value instanceof Integer i) {
      return f.numberNode(i.longValue());
    }
    if (value instanceof Number n) {
      return f.numberNode(n.doubleValue());
    }
    if (value instanceof Instant t) {
      return f.textNode(t.toString());
    }
    if (value instanceof List<?> list) {
      var array = f.arrayNode();
      list.forEach(element -> array.add(toNode(element)));
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = f.objectNode();
      map.forEach((k, v) -> object.set(String.valueOf(k), toNode(v)));
      return object;
    }
    return f.textNode(value.toString());
  }

  /** Writes a value of the model as compact JSON text. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(toNode(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** A fresh object node, for building JSON views field by field. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Writes a Jackson tree as compact JSON text. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
