package io.beckon.jobs.kafka;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.RestService;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.entities.SchemaString;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;

/**
 * Writer schemas of wire-format records, looked up by id in the registry. Each id gets one verdict,
 * kept: its schema, or why no record under it can be read (a JSON or Protobuf schema, not Avro
 * text, not a record, a recursive record, or whatever the caller's check refuses). An id the
 * registry does not know makes the record malformed; it is asked again once {@link
 * #UNKNOWN_ID_TTL_NANOS} has passed (it may be registered since), so a flood of records with random
 * ids costs one registry request per id and 10 s, not one per record; any other registry failure is
 * an {@link IOException}: the caller should fail and retry rather than call good data bad.
 */
public final class WriterSchemas {
  /** Verdicts kept at most; past it the cache starts over (ids are few in practice). */
  private static final int MAX_CACHED = 10_000;

  private final SchemaRegistryClient registry;
  private final RestService rest;
  private final Function<Schema, String> check;
  private final Map<Integer, Object> verdicts = new HashMap<>();

  /** How long an id the registry did not know is taken as unknown without asking again. */
  static final long UNKNOWN_ID_TTL_NANOS = 10_000_000_000L;

  /** Ids the registry answered 404 for, with when that answer stops counting (nanoTime). */
  private final Map<Integer, Long> unknownUntil = new HashMap<>();

  public WriterSchemas(SchemaRegistryClient registry) {
    this(registry, null, schema -> null);
  }

  /**
   * {@code rest} (may be null) reads ids of any schema type; {@code check} returns why a record
   * schema cannot be read by the caller (completing "schema id N (name) ..."), or null.
   */
  public WriterSchemas(
      SchemaRegistryClient registry, RestService rest, Function<Schema, String> check) {
    this.registry = registry;
    this.rest = rest;
    this.check = check;
  }

  /** The writer schema of a framed value. */
  public Schema of(byte[] framedValue) throws IOException {
    int id = WireFormat.schemaId(framedValue);
    Object verdict = verdicts.get(id);
    if (verdict == null) {
      Long until = unknownUntil.get(id);
      if (until != null && System.nanoTime() - until < 0) {
        throw unknown(id);
      }
      String[] found;
      try {
        found = lookUp(id);
      } catch (WireFormat.MalformedRecordException e) {
        if (unknownUntil.size() >= MAX_CACHED) {
          unknownUntil.clear();
        }
        unknownUntil.put(id, System.nanoTime() + UNKNOWN_ID_TTL_NANOS);
        throw e;
      }
      unknownUntil.remove(id);
      verdict = judge(id, found);
      if (verdicts.size() >= MAX_CACHED) {
        verdicts.clear();
      }
      verdicts.put(id, verdict);
    }
    if (verdict instanceof Schema schema) {
      return schema;
    }
    throw new WireFormat.MalformedRecordException((String) verdict);
  }

  /** Decodes a framed value into a generated class. */
  public <T extends SpecificRecord> T decode(byte[] framedValue, Class<T> type) throws IOException {
    return WireFormat.decode(framedValue, of(framedValue), type);
  }

  /** The schema's type (AVRO when the registry leaves it out) and text. */
  private String[] lookUp(int id) throws IOException {
    try {
      if (rest != null) {
        SchemaString found = rest.getId(id);
        return new String[] {found.getSchemaType(), found.getSchemaString()};
      }
      var parsed = registry.getSchemaById(id);
      return new String[] {parsed.schemaType(), parsed.canonicalString()};
    } catch (RestClientException e) {
      if (e.getStatus() == 404) {
        throw unknown(id);
      }
      throw new IOException("schema registry error for id " + id + ": " + e.getMessage(), e);
    }
  }

  private static WireFormat.MalformedRecordException unknown(int id) {
    return new WireFormat.MalformedRecordException(
        "unknown schema id " + id + " (not in the registry)");
  }

  /** The schema, or the reason no record under this id can be read. */
  private Object judge(int id, String[] typeAndText) {
    String type = typeAndText[0];
    if (type != null && !type.equals("AVRO")) {
      return "schema id " + id + " is a " + type + " schema, not Avro";
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(typeAndText[1]);
    } catch (SchemaParseException | NullPointerException e) {
      return "schema id " + id + " is not an Avro schema this job can read: " + e.getMessage();
    }
    if (schema.getType() != Schema.Type.RECORD) {
      return "schema id " + id + " is an Avro " + schema.getType().getName() + ", not a record";
    }
    String recursive = recursion(schema, new HashSet<>());
    String problem =
        recursive != null
            ? "is recursive: record " + recursive + " contains itself"
            : check.apply(schema);
    if (problem != null) {
      return "schema id " + id + " (" + schema.getFullName() + ") " + problem;
    }
    return schema;
  }

  /**
   * The name of a record that contains itself, or null. Recursive schemas are refused because they
   * let a record nest as deep as its bytes allow, and every walk over the data would follow.
   */
  private static String recursion(Schema schema, Set<String> enclosing) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!enclosing.add(schema.getFullName())) {
          return schema.getFullName();
        }
        for (Schema.Field field : schema.getFields()) {
          String found = recursion(field.schema(), enclosing);
          if (found != null) {
            return found;
          }
        }
        enclosing.remove(schema.getFullName());
        return null;
      }
      case ARRAY -> {
        return recursion(schema.getElementType(), enclosing);
      }
      case MAP -> {
        return recursion(schema.getValueType(), enclosing);
      }
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          String found = recursion(branch, enclosing);
          if (found != null) {
            return found;
          }
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }
}
