package io.beckon.engine.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Contract section 6: what a malformed record is, and the reason given. */
class EventValidatorTest {
  static String validate(String json) throws Exception {
    EventValidator.Result r = EventValidator.validate(Json.parse(json));
    return r.ok() ? "ok" : r.error();
  }

  @Test
  void theContractExampleIsValid() throws Exception {
    EventValidator.Result r =
        EventValidator.validate(
            Json.parse(
                "{\"event_id\":\"e-17\",\"user_id\":\"u-42\",\"type\":\"cart_item_added\",\"time\":\"2026-01-05T10:00:00Z\","
                    + "\"properties\":{\"sku\":\"SKU-1\",\"name\":\"Face wash\",\"quantity\":2,\"price\":9.5,\"currency\":\"USD\"}}"));
    assertTrue(r.ok());
    assertEquals(2L, r.event().properties().get("quantity"));
    assertEquals(
        "ok",
        validate(
            "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00.123Z\"}"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1,2]|not a JSON object",
        "{\"user_id\":\"u\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"}|missing required field 'event_id'",
        "{\"event_id\":\"a\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"}|missing required field 'user_id'",
        "{\"event_id\":\"a\",\"user_id\":7,\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"}|'user_id' must be a non-empty string",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"time\":\"2026-01-05T10:00:00Z\"}|missing required field 'type'",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"x\"}|missing required field 'time'",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"x\",\"time\":\"yesterday\"}|'time' is not an ISO-8601 UTC timestamp: 'yesterday'",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":[]}|'properties' must be an object",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"cart_item_added\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":{}}|cart_item_added: missing required property 'sku'",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"cart_item_added\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":{\"sku\":\"A\",\"quantity\":\"2\"}}|cart_item_added: property 'quantity' must be integer, got a string",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"location_updated\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":{\"lat\":1}}|location_updated: missing required property 'lon'",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"push_token_registered\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":{\"token\":5}}|push_token_registered: property 'token' must be string, got a number",
        "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\"channel_consent_changed\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":{\"channel\":\"push\",\"granted\":\"no\"}}|channel_consent_changed: property 'granted' must be boolean, got a string",
      })
  void malformedRecordsAreRejectedWithAReason(String json, String reason) throws Exception {
    assertEquals(reason, validate(json));
  }

  @Test
  void userIdLongerThan256IsRejected() throws Exception {
    String id = "u".repeat(257);
    assertEquals(
        "'user_id' is longer than 256 characters",
        validate(
            "{\"event_id\":\"a\",\"user_id\":\""
                + id
                + "\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"}"));
    assertEquals(
        "ok",
        validate(
            "{\"event_id\":\"a\",\"user_id\":\""
                + id.substring(1)
                + "\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"}"));
  }

  static String event(String type, String properties) {
    return "{\"event_id\":\"a\",\"user_id\":\"u\",\"type\":\""
        + type
        + "\",\"time\":\"2026-01-05T10:00:00Z\",\"properties\":"
        + properties
        + "}";
  }

  static String parsedOrReason(String json) {
    try {
      return validate(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "not valid JSON: " + Json.problem(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  @Test
  void limitsOfVersion2AreEnforcedAndNamed() {
    String ok = "{\"event_id\":\"%s\",\"user_id\":\"u\",\"type\":\"%s\",\"time\":\"%s\"}";
    // A character outside the BMP counts once.
    assertEquals(
        "ok",
        parsedOrReason(ok.formatted("\uD83D\uDE00".repeat(256), "x", "2026-01-05T10:00:00Z")));
    assertEquals(
        "'event_id' is longer than 256 characters",
        parsedOrReason(ok.formatted("e".repeat(257), "x", "2026-01-05T10:00:00Z")));
    assertEquals("ok", parsedOrReason(ok.formatted("e", "t".repeat(128), "2026-01-05T10:00:00Z")));
    assertEquals(
        "'type' is longer than 128 characters",
        parsedOrReason(ok.formatted("e", "t".repeat(129), "2026-01-05T10:00:00Z")));
    assertEquals(
        "'type' 'cart item' has a character outside [A-Za-z0-9_.:-]",
        parsedOrReason(ok.formatted("e", "cart item", "2026-01-05T10:00:00Z")));
    assertEquals("ok", parsedOrReason(ok.formatted("e", "a.B:c-d_9", "2000-01-01T00:00:00Z")));
    assertEquals(
        "'time' 1999-12-31T23:59:59.999Z is before the earliest allowed time 2000-01-01T00:00:00Z",
        parsedOrReason(ok.formatted("e", "x", "1999-12-31T23:59:59.999Z")));
    assertEquals(
        "'time' '+1000000000-01-01T00:00:00Z' is out of range: its year does not fit epoch milliseconds",
        parsedOrReason(ok.formatted("e", "x", "+1000000000-01-01T00:00:00Z")));
  }

  @Test
  void propertiesLimits() {
    // Depth: properties is 1, each object or array inside adds one.
    assertEquals("ok", parsedOrReason(event("x", nested(16))));
    assertEquals(
        "'properties' is nested deeper than the limit of 16 levels",
        parsedOrReason(event("x", nested(17))));
    assertEquals(
        "ok", parsedOrReason(event("x", "{\"a\":" + "[".repeat(15) + "1" + "]".repeat(15) + "}")));
    assertEquals(
        "'properties' is nested deeper than the limit of 16 levels",
        parsedOrReason(event("x", "{\"a\":" + "[".repeat(16) + "1" + "]".repeat(16) + "}")));
    assertEquals(
        "not valid JSON: nested deeper than the limit of 16 levels",
        parsedOrReason(event("x", nested(100_000))));
    // Numbers: finite, in any spelling.
    String finite =
        "'properties' holds %s: every number must be finite (no NaN, Infinity or overflow such as 1e999)";
    assertEquals(finite.formatted("Infinity"), parsedOrReason(event("x", "{\"p\":1e999}")));
    assertEquals(finite.formatted("-Infinity"), parsedOrReason(event("x", "{\"p\":[-1e999]}")));
    assertEquals(
        finite.formatted("Infinity"),
        parsedOrReason(event("x", "{\"p\":1" + "0".repeat(400) + "}")));
    assertEquals(
        "not valid JSON: NaN is not a number: every number must be finite",
        parsedOrReason(event("x", "{\"p\":NaN}")));
    assertEquals(
        "not valid JSON: Infinity is not a number: every number must be finite",
        parsedOrReason(event("x", "{\"p\":Infinity}")));
    assertEquals(
        "not valid JSON: -Infinity is not a number: every number must be finite",
        parsedOrReason(event("x", "{\"p\":-Infinity}")));
    // Size: compact UTF-8, non-ASCII unescaped. {"s":"..."} is 8 bytes around the string.
    assertEquals("ok", parsedOrReason(event("x", "{\"s\": \"" + "\u00e9".repeat(32_764) + "\"}")));
    assertEquals(
        "'properties' is 65538 bytes as compact JSON, over the limit of 65536",
        parsedOrReason(event("x", "{\"s\":\"" + "\u00e9".repeat(32_765) + "\"}")));
  }

  @Test
  void attributesSetLimits() {
    String name128 = "n".repeat(128);
    assertEquals(
        "ok",
        parsedOrReason(
            event(
                "attributes_set",
                "{\"attributes\":{\""
                    + name128
                    + "\":\""
                    + "v".repeat(4096)
                    + "\",\"gone\":null}}")));
    assertEquals(
        "attributes_set: attribute name of 129 characters is outside 1..128",
        parsedOrReason(event("attributes_set", "{\"attributes\":{\"" + name128 + "n\":null}}")));
    assertEquals(
        "attributes_set: attribute name of 0 characters is outside 1..128",
        parsedOrReason(event("attributes_set", "{\"attributes\":{\"\":1}}")));
    assertEquals(
        "attributes_set: attribute 'bio' is 4098 bytes of UTF-8, over the limit of 4096",
        parsedOrReason(
            event(
                "attributes_set", "{\"attributes\":{\"bio\":\"" + "\u00e9".repeat(2049) + "\"}}")));
  }

  @Test
  void avroDoublesThatAreNotFiniteAreRejected() {
    java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
    view.put("event_id", "a");
    view.put("user_id", "u");
    view.put("type", "x");
    view.put("properties", java.util.Map.of("m", java.util.Map.of("d", Double.NaN)));
    assertEquals(
        "'properties' holds NaN: every number must be finite (no NaN, Infinity or overflow such as 1e999)",
        EventValidator.validate(view, 1_767_607_200_000L).error());
  }
}
