package io.beckon.tools.bench;

import static io.beckon.tools.bench.CepCartAbandonment.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beckon.engine.rules.Experiment;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.tools.bench.CepCartAbandonment.Scheduled;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed half of the CEP peer: the user's cart and reachability, kept up to date in event-time
 * order, and the checks of the rule at the instant CEP says the cart was abandoned.
 *
 * <p>Input 1: on-time events, applied at their instant (events of one instant by event id). Input
 * 2: reminders CEP found due, taken at their instant after that instant's events; and late events,
 * applied at the instant {@link CepCartAbandonment.DropRepeats} gave them, before that instant's
 * events, to attributes, consent and the push token only, and only where nothing newer was set
 * (contract section 2).
 *
 * <p>At the due instant: the audience is {@code cart_value > 0} (an emptied cart never fires, and
 * Beckon would not have fired either: emptying disarms); the cooldown is one day since the last
 * sent or held-out reminder, half-open, and only those start it; then the rule's experiment: users
 * in buckets below 1,000 are the holdout (no command; the cooldown starts), buckets below 5,500 get
 * the variant {@code reminder} (the message's text) and the rest {@code urgency} (its own title);
 * the channel is the first reachable of push (a token, consent not withdrawn), email (a non-empty
 * string, consent not withdrawn), in_app (always).
 */
public class CartReminder extends KeyedCoProcessFunction<String, Event, Scheduled, SendCommand> {
  private static final long serialVersionUID = 1L;
  private static final long COOLDOWN = Duration.ofDays(1).toMillis();
  private static final long EXPIRE_AFTER = Duration.ofHours(12).toMillis();
  private static final ObjectMapper JSON = new ObjectMapper();

  // Names of the facts kept about the user, with the event time of their last change.
  private static final String FIRST_NAME = "first_name";
  private static final String CURRENCY = "currency";
  private static final String EMAIL = "email";
  private static final String PUSH_TOKEN = "push_token";
  private static final String PUSH_CONSENT = "consent.push";
  private static final String EMAIL_CONSENT = "consent.email";
  private static final String WITHDRAWN = "withdrawn";

  /** The latest erasure: its event id and time. Late events from before it are ignored. */
  private static final String ERASED = "erased";

  /** One sku in the cart. A Flink POJO. */
  public static class Line {
    public String sku;
    public long quantity;
    public double price;
  }

  /**
   * A value as the message reads it (null: missing, or a value Liquid's {@code default} replaces),
   * and the event time it was set at, so a late older value does not replace it. A Flink POJO.
   */
  public static class Fact {
    public String value;
    public long time;

    public Fact() {}

    Fact(String value, long time) {
      this.value = value;
      this.time = time;
    }
  }

  private transient MapState<Long, List<Event>> waiting;
  private transient MapState<Long, List<Event>> late;
  private transient MapState<Long, String> due;
  private transient ValueState<List<Line>> cart;
  private transient MapState<String, Fact> facts;
  private transient ValueState<Long> lastSent;

  @Override
  public void open(OpenContext openContext) {
    var context = getRuntimeContext();
    waiting =
        context.getMapState(
            new MapStateDescriptor<>(
                "waiting-events", Types.LONG, Types.LIST(new AvroTypeInfo<>(Event.class))));
    late =
        context.getMapState(
            new MapStateDescriptor<>(
                "late-events", Types.LONG, Types.LIST(new AvroTypeInfo<>(Event.class))));
    due = context.getMapState(new MapStateDescriptor<>("due", Types.LONG, Types.STRING));
    cart = context.getState(new ValueStateDescriptor<>("cart", Types.LIST(Types.POJO(Line.class))));
    facts =
        context.getMapState(
            new MapStateDescriptor<>("facts", Types.STRING, Types.POJO(Fact.class)));
    lastSent = context.getState(new ValueStateDescriptor<>("last-sent", Types.LONG));
  }

  @Override
  public void processElement1(Event e, Context ctx, Collector<SendCommand> out) throws Exception {
    add(waiting, ctx.timestamp(), e);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp());
  }

  /**
   * The instant comes from upstream, whose event time this operator's does not pass before the
   * record arrives (it follows that watermark in its channel), so the timer still comes in order.
   */
  @Override
  public void processElement2(Scheduled s, Context ctx, Collector<SendCommand> out)
      throws Exception {
    if (s.late != null) {
      add(late, s.at, s.late);
    } else {
      due.put(s.at, s.armedBy);
    }
    ctx.timerService().registerEventTimeTimer(s.at);
  }

  private static void add(MapState<Long, List<Event>> events, long at, Event e) throws Exception {
    List<Event> atInstant = events.get(at);
    if (atInstant == null) {
      atInstant = new ArrayList<>();
    }
    atInstant.add(e);
    events.put(at, atInstant);
  }

  @Override
  public void onTimer(long now, OnTimerContext ctx, Collector<SendCommand> out) throws Exception {
    List<Event> lateNow = late.get(now);
    if (lateNow != null) {
      late.remove(now);
      for (Event e : lateNow) {
        apply(e, true);
      }
    }
    List<Event> onTime = waiting.get(now);
    if (onTime != null) {
      waiting.remove(now);
      onTime.sort(Comparator.comparing(Event::getEventId));
      for (Event e : onTime) {
        apply(e, false);
      }
    }
    String armedBy = due.get(now);
    if (armedBy != null) {
      due.remove(now);
      fire(now, armedBy, ctx.getCurrentKey(), out);
    }
  }

  // ---- the profile ----

  private void apply(Event e, boolean late) throws Exception {
    long time = e.getTime().toEpochMilli();
    Fact erased = facts.get(ERASED);
    if (late
        && erased != null
        && (erased.time > time
            || (erased.time == time && erased.value.compareTo(e.getEventId()) > 0))) {
      return; // from the life the user erased
    }
    switch (e.getType()) {
      case CART_ITEM_ADDED, CART_ITEM_REMOVED -> {
        if (!late) {
          changeCart(e.getType().equals(CART_ITEM_ADDED), properties(e));
        }
      }
      case CART_CLEARED, PURCHASE_COMPLETED -> {
        if (!late) {
          cart.clear();
        }
      }
      case ATTRIBUTES_SET -> {
        JsonNode attributes = properties(e).path("attributes");
        for (String name : List.of(FIRST_NAME, CURRENCY, EMAIL)) {
          JsonNode value = attributes.get(name);
          if (value != null) {
            String text = name.equals(EMAIL) ? address(value) : liquidText(value);
            set(name, text, time, late);
          }
        }
      }
      case PUSH_TOKEN_REGISTERED ->
          set(PUSH_TOKEN, properties(e).path("token").asText(), time, late);
      case CHANNEL_CONSENT_CHANGED -> {
        JsonNode p = properties(e);
        String channel = p.path("channel").asText();
        JsonNode granted = p.path("granted");
        if ((channel.equals("push") || channel.equals("email")) && granted.isBoolean()) {
          set("consent." + channel, granted.booleanValue() ? null : WITHDRAWN, time, late);
        }
      }
      case USER_ERASED -> {
        cart.clear();
        facts.clear();
        lastSent.clear();
        facts.put(ERASED, new Fact(e.getEventId(), time));
      }
      default -> {}
    }
  }

  private void set(String name, String value, long time, boolean late) throws Exception {
    Fact current = facts.get(name);
    if (late && current != null && time < current.time) {
      return; // a late event never replaces a newer value
    }
    facts.put(name, new Fact(value, time));
  }

  /**
   * Adds or removes units of one sku. Adding takes the latest price for the whole line; removing
   * without a quantity removes the line; a line at 0 units or fewer disappears.
   */
  private void changeCart(boolean add, JsonNode p) throws Exception {
    List<Line> lines = cart.value() == null ? new ArrayList<>() : cart.value();
    String sku = p.path("sku").asText();
    Line line = lines.stream().filter(l -> l.sku.equals(sku)).findFirst().orElse(null);
    JsonNode quantity = p.path("quantity");
    if (add) {
      if (line == null) {
        line = new Line();
        line.sku = sku;
        lines.add(line);
      }
      line.quantity += quantity.isNumber() ? quantity.asLong() : 1;
      line.price = p.path("price").isNumber() ? p.path("price").asDouble() : 0;
    } else if (line != null) {
      line.quantity = quantity.isNumber() ? line.quantity - quantity.asLong() : 0;
    }
    if (line != null && line.quantity <= 0) {
      lines.remove(line);
    }
    if (lines.isEmpty()) {
      cart.clear();
    } else {
      cart.update(lines);
    }
  }

  // ---- the fire ----

  private void fire(long now, String armedBy, String user, Collector<SendCommand> out)
      throws Exception {
    List<Line> lines = cart.value();
    double value = 0;
    long units = 0;
    List<String> skus = new ArrayList<>();
    if (lines != null) {
      for (Line line : lines) {
        value += line.quantity * line.price;
        units += line.quantity;
        skus.add(line.sku);
      }
    }
    if (!(value > 0)) {
      return; // audience: cart_value > 0
    }
    Long last = lastSent.value();
    if (last != null && now - COOLDOWN < last && last <= now) {
      return; // reentry cooldown
    }
    // The experiment: 10% holdout, then reminder and urgency at 50:50 of the remaining 9,000.
    int bucket = Experiment.bucket(RULE_ID, user);
    if (bucket < 1_000) {
      lastSent.update(now); // a holdout fire counts for reentry
      return;
    }
    String variant = bucket < 5_500 ? "reminder" : "urgency";
    String channel = "in_app";
    String address = null;
    String token = reachable(PUSH_TOKEN, PUSH_CONSENT);
    String email = reachable(EMAIL, EMAIL_CONSENT);
    if (token != null) {
      channel = "push";
      address = token;
    } else if (email != null) {
      channel = "email";
      address = email;
    }
    lastSent.update(now);

    String firstName = text(FIRST_NAME);
    String currency = text(CURRENCY) == null ? "USD" : text(CURRENCY);
    String rounded =
        Double.toString(BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).doubleValue());
    String title =
        variant.equals("urgency")
            ? "Items in your cart are selling fast"
            : (firstName == null ? "Hi there" : firstName) + ", your cart misses you";
    String body = units + " items worth " + rounded + " " + currency + " are waiting.";
    if (value < 10) {
      body = "Still thinking it over? Your " + units + " items are saved for you.";
    } else if (value >= 200) {
      title = "Free shipping on your cart, " + (firstName == null ? "friend" : firstName);
      body = "Your " + rounded + " " + currency + " cart ships free until midnight.";
    }

    ObjectNode variables = JSON.createObjectNode();
    variables.put("cart_value", value);
    variables.put("cart_units", units);
    skus.forEach(variables.putArray("cart_skus")::add);
    out.collect(
        SendCommand.newBuilder()
            .setSendId(sendId(user, now, armedBy))
            .setUserId(user)
            .setRuleId(RULE_ID)
            .setRuleVersion(2)
            .setTrigger("cart_abandoned")
            .setFireTime(Instant.ofEpochMilli(now))
            .setSendAfter(Instant.ofEpochMilli(now))
            .setExpiresAt(Instant.ofEpochMilli(now + EXPIRE_AFTER))
            .setChannel(channel)
            .setAddress(address)
            .setVariant(variant)
            .setTitle(title)
            .setBody(body)
            .setVariables(JSON.writeValueAsString(variables))
            .build());
  }

  private String text(String name) throws Exception {
    Fact fact = facts.get(name);
    return fact == null ? null : fact.value;
  }

  /** The channel's address when it has one and its consent was not withdrawn. */
  private String reachable(String address, String consent) throws Exception {
    String value = text(address);
    return value == null || value.isEmpty() || WITHDRAWN.equals(text(consent)) ? null : value;
  }

  /**
   * The send id Beckon gives the same fire: SHA-256 over rule id, user id, due instant, the arming
   * event's id and an empty fence id, NUL-separated, cut to 128 bits, in hex.
   */
  static String sendId(String user, long dueAt, String armedBy) {
    String instance = String.join("\u0000", RULE_ID, user, Long.toString(dueAt), armedBy, "");
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(instance.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode properties(Event e) throws Exception {
    return e.getProperties() == null ? JSON.createObjectNode() : JSON.readTree(e.getProperties());
  }

  /** An email address: a non-empty string, else none. */
  private static String address(JsonNode value) {
    return value.isTextual() && !value.textValue().isEmpty() ? value.textValue() : null;
  }

  /**
   * A value as {@code {{ name | default: ... }}} renders it: null where the default applies (null,
   * false, the empty string), numbers as Java prints longs and doubles.
   */
  private static String liquidText(JsonNode value) {
    if (value.isNull() || (value.isBoolean() && !value.booleanValue())) {
      return null;
    }
    if (value.isTextual()) {
      return value.textValue().isEmpty() ? null : value.textValue();
    }
    if (value.isNumber()) {
      return value.isIntegralNumber()
          ? Long.toString(value.asLong())
          : Double.toString(value.asDouble());
    }
    return value.isBoolean() ? "true" : "";
  }
}
