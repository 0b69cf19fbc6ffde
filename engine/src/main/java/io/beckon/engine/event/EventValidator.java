package io.beckon.engine.event;

import static io.beckon.engine.event.EventTypes.*;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the JSON view of an event (from a JSON line or a decoded Avro record) into a {@link
 * UserEvent}, or explains why it is malformed. The one gate every input passes, so replay and the
 * live job reject exactly the same records.
 */
public final class EventValidator {
  /** Contract section 1, "Limits (v2)"; lengths in characters are Unicode code points. */
  public static final int MAX_EVENT_ID = 256;

  public static final int MAX_USER_ID = 256;
  public static final int MAX_TYPE = 128;
  public static final int MAX_PROPERTIES_BYTES = 65_536;
  public static final int MAX_PROPERTIES_DEPTH = 16;
  public static final int MAX_ATTRIBUTE_NAME = 128;
  public static final int MAX_ATTRIBUTE_VALUE_BYTES = 4_096;
  public static final Instant MIN_TIME = Instant.parse("2000-01-01T00:00:00Z");

  private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.:-]+");

  /** How much of an offending value a reason quotes, in code points. */
  private static final int QUOTE = 64;

  /** The outcome: either an event or a human-readable reason. */
  public record Result(UserEvent event, String error) {
    public boolean ok() {
      return event != null;
    }
  }

  private enum Kind {
    STRING,
    NUMBER,
    INTEGER,
    BOOLEAN,
    OBJECT,
    ARRAY
  }

  private record Prop(String name, Kind kind, boolean required) {}

  private static final Map<String, List<Prop>> CORE_PROPERTIES =
      Map.of(
          APP_OPENED,
          List.of(
              new Prop("app_version", Kind.STRING, false),
              new Prop("platform", Kind.STRING, false),
              new Prop("locale", Kind.STRING, false),
              new Prop("timezone", Kind.STRING, false)),
          ATTRIBUTES_SET,
          List.of(new Prop("attributes", Kind.OBJECT, false)),
          CART_ITEM_ADDED,
          List.of(
              new Prop("sku", Kind.STRING, true),
              new Prop("name", Kind.STRING, false),
              new Prop("quantity", Kind.INTEGER, false),
              new Prop("price", Kind.NUMBER, false),
              new Prop("currency", Kind.STRING, false)),
          CART_ITEM_REMOVED,
          List.of(new Prop("sku", Kind.STRING, true), new Prop("quantity", Kind.INTEGER, false)),
          PURCHASE_COMPLETED,
          List.of(
              new Prop("order_id", Kind.STRING, false),
              new Prop("total", Kind.NUMBER, false),
              new Prop("currency", Kind.STRING, false),
              new Prop("items", Kind.ARRAY, false)),
          LOCATION_UPDATED,
          List.of(
              new Prop("lat", Kind.NUMBER, true),
              new Prop("lon", Kind.NUMBER, true),
              new Prop("accuracy_m", Kind.NUMBER, false)),
          PUSH_TOKEN_REGISTERED,
          List.of(new Prop("token", Kind.STRING, true), new Prop("platform", Kind.STRING, false)),
          CHANNEL_CONSENT_CHANGED,
          List.of(
              new Prop("channel", Kind.STRING, false), new Prop("granted", Kind.BOOLEAN, false)));

  private EventValidator() {}

  /** Validates a JSON view whose {@code time} is an ISO-8601 string. */
  public static Result validate(Object json) {
    if (!(json instanceof Map<?, ?> raw)) {
      return fail("not a JSON object");
    }
    Object time = raw.get("time");
    if (time == null) {
      return fail("missing required field 'time'");
    }
    if (!(time instanceof String text)) {
      return fail("'time' must be an ISO-8601 UTC string");
    }
    long millis;
    try {
      millis = isoMillis(text);
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    return validate(raw, millis);
  }

  /**
   * Epoch milliseconds of an ISO-8601 UTC time; the message of the exception is the reason. A year
   * the parser takes but milliseconds cannot hold (e.g. {@code +1000000000}) is out of range.
   */
  public static long isoMillis(String text) {
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'time' is not an ISO-8601 UTC timestamp: " + quote(text), e);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "'time' " + quote(text) + " is out of range: its year does not fit epoch milliseconds",
          e);
    }
  }

  /** Validates a view whose time is already known (Avro carries it as epoch milliseconds). */
  public static Result validate(Map<?, ?> raw, long timeMillis) {
    String eventId = requiredString(raw, "event_id");
    if (eventId == null) {
      return fail(stringProblem(raw, "event_id"));
    }
    if (characters(eventId) > MAX_EVENT_ID) {
      return fail("'event_id' is longer than " + MAX_EVENT_ID + " characters");
    }
    String userId = requiredString(raw, "user_id");
    if (userId == null) {
      return fail(stringProblem(raw, "user_id"));
    }
    if (characters(userId) > MAX_USER_ID) {
      return fail("'user_id' is longer than " + MAX_USER_ID + " characters");
    }
    String type = requiredString(raw, "type");
    if (type == null) {
      return fail(stringProblem(raw, "type"));
    }
    if (characters(type) > MAX_TYPE) {
      return fail("'type' is longer than " + MAX_TYPE + " characters");
    }
    if (!TYPE.matcher(type).matches()) {
      return fail("'type' " + quote(type) + " has a character outside [A-Za-z0-9_.:-]");
    }
    if (timeMillis < MIN_TIME.toEpochMilli()) {
      return fail(
          "'time' "
              + Instant.ofEpochMilli(timeMillis)
              + " is before the earliest allowed time "
              + MIN_TIME);
    }
    Object props = raw.get("properties");
    if (props != null && !(props instanceof Map)) {
      return fail("'properties' must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> properties =
        props == null ? new java.util.LinkedHashMap<>() : (Map<String, Object>) props;
    String limitError = checkPropertyLimits(properties);
    if (limitError != null) {
      return fail(limitError);
    }
    String propertyError = checkCoreProperties(type, properties);
    if (propertyError != null) {
      return fail(propertyError);
    }
    return new Result(new UserEvent(eventId, userId, type, timeMillis, properties), null);
  }

  /** Depth, finite numbers, then size: the size is only measured on a tree that can be written. */
  private static String checkPropertyLimits(Map<String, Object> properties) {
    String problem = checkTree(properties, 1);
    if (problem != null) {
      return problem;
    }
    int bytes =
        io.beckon.engine.json.Json.write(properties).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PROPERTIES_BYTES) {
      return "'properties' is "
          + bytes
          + " bytes as compact JSON, over the limit of "
          + MAX_PROPERTIES_BYTES;
    }
    return null;
  }

  /** Nesting depth ({@code properties} itself is depth 1) and non-finite numbers. */
  private static String checkTree(Object value, int depth) {
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      if (depth > MAX_PROPERTIES_DEPTH) {
        return "'properties' is nested deeper than the limit of "
            + MAX_PROPERTIES_DEPTH
            + " levels";
      }
      Iterable<?> children = value instanceof Map<?, ?> map ? map.values() : (List<?>) value;
      for (Object child : children) {
        String problem = checkTree(child, depth + 1);
        if (problem != null) {
          return problem;
        }
      }
    } else if (value instanceof Number n && !Double.isFinite(n.doubleValue())) {
      return "'properties' holds "
          + n.doubleValue()
          + ": every number must be finite (no NaN, Infinity or overflow such as 1e999)";
    }
    return null;
  }

  private static String checkCoreProperties(String type, Map<String, Object> properties) {
    for (Prop prop : CORE_PROPERTIES.getOrDefault(type, List.of())) {
      Object value = properties.get(prop.name());
      if (value == null) {
        if (prop.required()) {
          return type + ": missing required property '" + prop.name() + "'";
        }
        continue;
      }
      if (!hasKind(value, prop.kind())) {
        return type
            + ": property '"
            + prop.name()
            + "' must be "
            + prop.kind().name().toLowerCase(java.util.Locale.ROOT)
            + ", got "
            + describe(value);
      }
    }
    if (type.equals(LOCATION_UPDATED)) {
      double lat = ((Number) properties.get("lat")).doubleValue();
      double lon = ((Number) properties.get("lon")).doubleValue();
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        return type + ": lat/lon out of range (" + lat + ", " + lon + ")";
      }
    }
    if (type.equals(ATTRIBUTES_SET) && properties.get("attributes") instanceof Map<?, ?> attrs) {
      for (Map.Entry<?, ?> e : attrs.entrySet()) {
        String name = String.valueOf(e.getKey());
        int length = characters(name);
        if (length == 0 || length > MAX_ATTRIBUTE_NAME) {
          return type
              + ": attribute name of "
              + length
              + " characters is outside 1.."
              + MAX_ATTRIBUTE_NAME;
        }
        Object v = e.getValue();
        if (v instanceof String text) {
          int bytes = text.getBytes(StandardCharsets.UTF_8).length;
          if (bytes > MAX_ATTRIBUTE_VALUE_BYTES) {
            return type
                + ": attribute "
                + quote(name)
                + " is "
                + bytes
                + " bytes of UTF-8, over the limit of "
                + MAX_ATTRIBUTE_VALUE_BYTES;
          }
        }
        if (v instanceof Map || v instanceof List) {
          return type + ": attribute " + quote(name) + " must be a string, number, boolean or null";
        }
      }
    }
    return null;
  }

  private static boolean hasKind(Object value, Kind kind) {
    return switch (kind) {
      case STRING -> value instanceof String;
      case NUMBER -> value instanceof Number;
      case INTEGER -> value instanceof Long || value instanceof Integer;
      case BOOLEAN -> value instanceof Boolean;
      case OBJECT -> value instanceof Map;
      case ARRAY -> value instanceof List;
    };
  }

  private static String describe(Object value) {
    if (value instanceof String) return "a string";
    if (value instanceof Boolean) return "a boolean";
    if (value instanceof Number) return "a number";
    if (value instanceof Map) return "an object";
    if (value instanceof List) return "an array";
    return value.getClass().getSimpleName();
  }

  private static String requiredString(Map<?, ?> raw, String field) {
    Object value = raw.get(field);
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  private static String stringProblem(Map<?, ?> raw, String field) {
    Object value = raw.get(field);
    if (value == null) {
      return "missing required field '" + field + "'";
    }
    return "'" + field + "' must be a non-empty string";
  }

  private static int characters(String s) {
    return s.codePointCount(0, s.length());
  }

  /** {@code 'text'}, shortened to its first characters so a hostile value cannot bloat a reason. */
  static String quote(String text) {
    if (characters(text) <= QUOTE) {
      return "'" + text + "'";
    }
    return "'" + text.substring(0, text.offsetByCodePoints(0, QUOTE)) + "...'";
  }

  private static Result fail(String reason) {
    return new Result(null, reason);
  }
}
