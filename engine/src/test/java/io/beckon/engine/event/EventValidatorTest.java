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
}
