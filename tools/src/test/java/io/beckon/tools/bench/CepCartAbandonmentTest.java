package io.beckon.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beckon.engine.core.JsonViews;
import io.beckon.jobs.replay.Replay;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.tools.ReplayCommand;
import io.beckon.tools.demo.TrafficModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The CEP peer fires exactly when Beckon's cart rule sends, on the demo's simulated traffic: same
 * users, instants and channels, and (a bonus, not the bench's criterion) the same send ids and
 * text.
 */
class CepCartAbandonmentTest {
  private static final Duration DISORDER_BOUND = Duration.ofSeconds(10);
  private static final String RULE_FILE = "cart-abandonment-2h.yaml";

  @Test
  void firesExactlyWhenBeckonSendsTheCartReminder() throws Exception {
    List<Event> events = new TrafficModel(42, 600).generate();

    Replay.Result beckon = beckon(events);
    List<SendCommand> beckonSends = sends(beckon);
    List<SendCommand> cepSends =
        runCep(
            events,
            WatermarkStrategy.<Event>forBoundedOutOfOrderness(DISORDER_BOUND)
                .withTimestampAssigner((e, previous) -> e.getTime().toEpochMilli()));

    System.out.printf(
        "demo traffic: %d events; Beckon %d sends, CEP peer %d%n",
        events.size(), beckonSends.size(), cepSends.size());
    assertTrue(beckonSends.size() >= 300, "Beckon sent only " + beckonSends.size());
    assertNull(CepCartAbandonment.sameFires(cepSends, beckonSends));
    // Beyond the criterion: the peer renders the same commands, ids and text included.
    assertEquals(jsonViews(beckonSends), jsonViews(cepSends));
  }

  /**
   * What the demo traffic never does: units removed and lines emptied, purchases and cart changes
   * exactly at the due instant, ties at one instant, consent withdrawn and addresses changed while
   * a reminder waits, zero-value carts, erasures, retried events, disorder within the bound and
   * late events. Both sides get watermarks after every event, as {@code beckon replay} does, so
   * which events are late is decided by the input order alone and is the same for both.
   */
  @Test
  void firesExactlyWhenBeckonSendsOnHarderInput() throws Exception {
    List<Event> events = perturbed(new TrafficModel(7, 400).generate(), new Random(11));

    Replay.Result beckon = beckon(events);
    List<SendCommand> beckonSends = sends(beckon);
    List<SendCommand> cepSends = runCep(events, Replay.perEventWatermarks(DISORDER_BOUND));

    System.out.printf(
        "harder input: %d events, %d late; Beckon %d sends, %d suppressions; CEP peer %d sends%n",
        events.size(),
        beckon.lateEvents(),
        beckonSends.size(),
        beckon.suppressions().size(),
        cepSends.size());
    assertTrue(beckon.lateEvents() >= 20, "only " + beckon.lateEvents() + " late events");
    assertTrue(beckonSends.size() >= 50, "Beckon sent only " + beckonSends.size());
    assertNull(CepCartAbandonment.sameFires(cepSends, beckonSends));
    assertEquals(jsonViews(beckonSends), jsonViews(cepSends));
  }

  @Test
  void sameFiresNamesTheFirstDifference() {
    SendCommand a = command("u-1", "push", "2026-01-05T12:00:00Z");
    SendCommand b = command("u-2", "email", "2026-01-05T12:00:00Z");
    SendCommand c = command("u-3", "in_app", "2026-01-05T13:00:00Z");
    assertNull(CepCartAbandonment.sameFires(List.of(a, b, c), List.of(c, b, a)));
    assertEquals(
        "3 fires against 3; the first difference is only in the second list:"
            + " 2026-01-05T12:00:00Z u-1 cart-abandonment-2h email",
        CepCartAbandonment.sameFires(
            List.of(a, b, c), List.of(command("u-1", "email", "2026-01-05T12:00:00Z"), b, c)));
    assertEquals(
        "3 fires against 2; the first difference is only in the first list:"
            + " 2026-01-05T13:00:00Z u-3 cart-abandonment-2h in_app",
        CepCartAbandonment.sameFires(List.of(a, b, c), List.of(a, b)));
  }

  /** Beckon's replay with the cart rule alone. */
  private static Replay.Result beckon(List<Event> events) throws Exception {
    Map<String, String> cartRuleOnly =
        Map.of(RULE_FILE, Files.readString(Path.of("..", "rules", RULE_FILE)));
    return Replay.run(environment(), events, cartRuleOnly, DISORDER_BOUND);
  }

  private static List<SendCommand> sends(Replay.Result beckon) throws Exception {
    List<SendCommand> sends = new ArrayList<>();
    for (String line : beckon.sendCommands()) {
      sends.add(fromJson(line));
    }
    return sends;
  }

  private static StreamExecutionEnvironment environment() {
    return StreamExecutionEnvironment.createLocalEnvironment(2, ReplayCommand.localConfiguration());
  }

  /** The peer on a local Flink at parallelism 2, events in list order. */
  private static List<SendCommand> runCep(List<Event> events, WatermarkStrategy<Event> watermarks)
      throws Exception {
    StreamExecutionEnvironment env = environment();
    DataStream<Event> source =
        env.fromData(events, new AvroTypeInfo<>(Event.class))
            .setParallelism(1)
            .assignTimestampsAndWatermarks(watermarks)
            .setParallelism(1);
    List<SendCommand> sends = new ArrayList<>();
    try (CloseableIterator<SendCommand> it =
        CepCartAbandonment.build(source).executeAndCollect("cep-cart-abandonment")) {
      it.forEachRemaining(sends::add);
    }
    return sends;
  }

  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;

  /**
   * The traffic with extra events around its cart changes, then delivered in an order that is
   * disordered within the bound, with some events repeated and some delivered late.
   */
  private static List<Event> perturbed(List<Event> traffic, Random random) {
    List<Event> events = new ArrayList<>();
    Set<String> deliverLate = new HashSet<>();
    int[] n = {0};
    for (Event e : traffic) {
      events.add(e);
      if (!e.getType().equals("cart_item_added")) {
        continue;
      }
      String user = e.getUserId();
      long t = e.getTime().toEpochMilli();
      String sku = e.getProperties().replaceAll(".*\"sku\":\"([^\"]+)\".*", "$1");
      double cart = random.nextDouble();
      if (cart < 0.08) {
        String quantity = random.nextBoolean() ? "" : ",\"quantity\":1";
        events.add(
            extra(
                user,
                "cart_item_removed",
                t + HOUR,
                "{\"sku\":\"" + sku + "\"" + quantity + "}",
                n));
      } else if (cart < 0.12) {
        events.add(extra(user, "purchase_completed", t + 2 * HOUR, "{\"total\":5}", n));
      } else if (cart < 0.16) {
        events.add(extra(user, "cart_item_added", t + 2 * HOUR, item("SKU-GUM", 1, 1.2), n));
      } else if (cart < 0.19) {
        events.add(extra(user, "cart_cleared", t + 2 * HOUR - 1, null, n));
      } else if (cart < 0.22) {
        events.add(extra(user, "purchase_completed", t, "{\"total\":5}", n)); // same instant
      } else if (cart < 0.25) {
        events.add(extra(user, "cart_item_added", t + MINUTE, item("SKU-FREE", 2, 0), n));
      } else if (cart < 0.27) {
        events.add(extra(user, "cart_item_added", t + MINUTE, item(sku, -5, 1), n));
      } else if (cart < 0.29) {
        events.add(extra(user, "user_erased", t + HOUR, null, n));
      } else if (cart < 0.31) {
        events.add(extra(user, "cart_item_added", t + 26 * HOUR, item("SKU-SOAP", 1, 3.5), n));
      }
      long during = t + (long) (random.nextDouble() * 2 * HOUR);
      double reach = random.nextDouble();
      if (reach < 0.08) {
        events.add(extra(user, "channel_consent_changed", during, consent("push", false), n));
      } else if (reach < 0.12) {
        events.add(extra(user, "channel_consent_changed", during, consent("email", false), n));
      } else if (reach < 0.15) {
        events.add(extra(user, "channel_consent_changed", during, consent("push", true), n));
      } else if (reach < 0.19) {
        events.add(extra(user, "attributes_set", during, attributes("\"email\":\"\""), n));
      } else if (reach < 0.23) {
        String email = "\"email\":\"new-" + user + "@example.com\",\"first_name\":\"Zoe\"";
        events.add(extra(user, "attributes_set", during, attributes(email), n));
      } else if (reach < 0.26) {
        String attributes = "\"first_name\":null,\"currency\":\"EUR\"";
        events.add(extra(user, "attributes_set", during, attributes(attributes), n));
      } else if (reach < 0.28) {
        String token = "{\"token\":\"apns-" + n[0] + "\"}";
        events.add(extra(user, "push_token_registered", during, token, n));
      } else if (reach < 0.34) {
        // Withdrawn, granted again a minute later; the withdrawal arrives late: it must not win.
        Event withdrawn = extra(user, "channel_consent_changed", during, consent("push", false), n);
        events.add(withdrawn);
        events.add(
            extra(user, "channel_consent_changed", during + MINUTE, consent("push", true), n));
        deliverLate.add(withdrawn.getEventId());
      }
    }
    events.sort(Comparator.comparing(Event::getTime).thenComparing(Event::getEventId));

    // Delivery: each event up to 9 s behind (within the 10 s bound), a few repeated, and after the
    // first tenth (while the rules may still be loading, Beckon holds event time back) a few late.
    List<Map.Entry<Long, Event>> arrivals = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      long time = e.getTime().toEpochMilli();
      long arrival = time + random.nextInt(9_000);
      if (i > events.size() / 10
          && (random.nextDouble() < 0.01 || deliverLate.contains(e.getEventId()))) {
        arrival = time + 30 * MINUTE + random.nextInt(60) * MINUTE;
      }
      arrivals.add(Map.entry(arrival, e));
      if (random.nextDouble() < 0.01) {
        arrivals.add(Map.entry(arrival + random.nextInt(9_000), Event.newBuilder(e).build()));
      }
    }
    arrivals.sort(Map.Entry.comparingByKey());
    return arrivals.stream().map(Map.Entry::getValue).toList();
  }

  /** An extra event whose id sorts before or after the traffic's at the same instant. */
  private static Event extra(String user, String type, long time, String properties, int[] n) {
    String id = user + (n[0] % 2 == 0 ? "-!" : "-~") + n[0]++;
    return Event.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setType(type)
        .setTime(Instant.ofEpochMilli(time))
        .setProperties(properties)
        .build();
  }

  private static String item(String sku, int quantity, double price) {
    return String.format(
        Locale.ROOT, "{\"sku\":\"%s\",\"quantity\":%d,\"price\":%s}", sku, quantity, price);
  }

  private static String consent(String channel, boolean granted) {
    return "{\"channel\":\"" + channel + "\",\"granted\":" + granted + "}";
  }

  private static String attributes(String body) {
    return "{\"attributes\":{" + body + "}}";
  }

  private static List<String> jsonViews(List<SendCommand> commands) {
    return commands.stream()
        .sorted(
            Comparator.comparing(SendCommand::getFireTime).thenComparing(SendCommand::getUserId))
        .map(JsonViews::of)
        .toList();
  }

  private static SendCommand fromJson(String line) throws Exception {
    JsonNode n = new ObjectMapper().readTree(line);
    return SendCommand.newBuilder()
        .setSendId(n.get("send_id").asText())
        .setUserId(n.get("user_id").asText())
        .setRuleId(n.get("rule_id").asText())
        .setRuleVersion(n.get("rule_version").asInt())
        .setTrigger(n.get("trigger").asText())
        .setFireTime(Instant.parse(n.get("fire_time").asText()))
        .setSendAfter(Instant.parse(n.get("send_after").asText()))
        .setExpiresAt(Instant.parse(n.get("expires_at").asText()))
        .setChannel(n.get("channel").asText())
        .setAddress(n.get("address").isNull() ? null : n.get("address").asText())
        .setVariant(n.get("variant").asText())
        .setTitle(n.get("title").isNull() ? null : n.get("title").asText())
        .setBody(n.get("body").asText())
        .setVariables(n.get("variables").toString())
        .build();
  }

  private static SendCommand command(String user, String channel, String fireTime) {
    Instant at = Instant.parse(fireTime);
    return SendCommand.newBuilder()
        .setSendId(user + fireTime)
        .setUserId(user)
        .setRuleId("cart-abandonment-2h")
        .setRuleVersion(1)
        .setTrigger("cart_abandoned")
        .setFireTime(at)
        .setSendAfter(at)
        .setExpiresAt(at.plus(Duration.ofHours(12)))
        .setChannel(channel)
        .setVariant("default")
        .setBody("")
        .setVariables("{}")
        .build();
  }
}
