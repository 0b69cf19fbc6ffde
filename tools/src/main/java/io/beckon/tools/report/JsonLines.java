package io.beckon.tools.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;

/** Reads JSON-lines records; a bad line is an error that names its input and line number. */
final class JsonLines {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonLines() {}

  /** One parsed line. */
  record Line(JsonNode node) {
    String text(String field) {
      JsonNode value = node.get(field);
      if (value == null || !value.isTextual()) {
        throw new IllegalArgumentException("'" + field + "' is missing or not a string");
      }
      return value.asText();
    }

    Instant time(String field) {
      try {
        return Instant.parse(text(field));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + field + "' is not an ISO-8601 instant");
      }
    }
  }

  static void each(String input, List<String> lines, Consumer<Line> handler) {
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      if (text.isBlank()) {
        continue;
      }
      try {
        JsonNode node = MAPPER.readTree(text);
        if (node == null || !node.isObject()) {
          throw new IllegalArgumentException("not a JSON object");
        }
        handler.accept(new Line(node));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            input + " line " + (i + 1) + ": invalid JSON: " + e.getOriginalMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(input + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
  }
}
