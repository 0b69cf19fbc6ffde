package io.beckon.tools.bench;

import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The bench's peer: the example rule {@code cart-abandonment-2h} written as a Flink user would
 * write it without Beckon, with Flink CEP for the timing and one keyed function for the rest.
 *
 * <pre>
 * events -> filter (the types this rule reads) -> keyBy(user) -> DropRepeats
 *   on time -> CEP: a cart change not followed by another cart change or an emptying within 2 h
 *                -> due reminder at t + 2 h ----------------------.
 *   on time ----------------------------------------------------> CartReminder -> SendCommand
 *   late ------------------------------------------------------'   (cart, reachability, cooldown,
 *                                                                    audience, channel, text)
 * </pre>
 *
 * <p>What CEP cannot say, hence the keyed function: whether the cart is still worth something when
 * the 2 h are up (removing the last unit is just a cart change to CEP), which channel is reachable
 * then, the one-day cooldown across matches, and the text. These need state that outlives a match,
 * read at the due instant after the events of that instant and before later ones.
 *
 * <p>Beckon's rules this peer follows (contract sections 2, 3b, 6): events of one user take effect
 * in event-time order, ties by event id, and those at an instant before a fire due then; a repeated
 * event id within 24 h has no effect; an event at or below the watermark is late and changes only
 * attributes, consent and the push token, never a trigger; a reminder fires once per arming,
 * whatever the checks decide.
 *
 * <p>Not emulated, as the bench's traffic has none of it: the per-user limits of contract section 1
 * (Beckon drops an event over one, this applies it); that an erasure makes Beckon forget the event
 * ids it saw (here a reused id stays a repeat for 24 h); and that Beckon forgets an erasure after 7
 * days (here a late event from before it is ignored for good).
 */
public final class CepCartAbandonment {
  static final String RULE_ID = "cart-abandonment-2h";
  static final Duration DELAY = Duration.ofHours(2);

  static final String CART_ITEM_ADDED = "cart_item_added";
  static final String CART_ITEM_REMOVED = "cart_item_removed";
  static final String CART_CLEARED = "cart_cleared";
  static final String PURCHASE_COMPLETED = "purchase_completed";
  static final String ATTRIBUTES_SET = "attributes_set";
  static final String PUSH_TOKEN_REGISTERED = "push_token_registered";
  static final String CHANNEL_CONSENT_CHANGED = "channel_consent_changed";
  static final String USER_ERASED = "user_erased";

  private static final Set<String> CART_CHANGES = Set.of(CART_ITEM_ADDED, CART_ITEM_REMOVED);

  /** What ends a wait: a new cart change (which starts its own), emptying the cart, erasure. */
  private static final Set<String> DISARMS =
      Set.of(CART_ITEM_ADDED, CART_ITEM_REMOVED, CART_CLEARED, PURCHASE_COMPLETED, USER_ERASED);

  /** Every other type is irrelevant to this rule, so it is dropped before the shuffle. */
  private static final Set<String> READ =
      Set.of(
          CART_ITEM_ADDED,
          CART_ITEM_REMOVED,
          CART_CLEARED,
          PURCHASE_COMPLETED,
          ATTRIBUTES_SET,
          PUSH_TOKEN_REGISTERED,
          CHANNEL_CONSENT_CHANGED,
          USER_ERASED);

  /**
   * A cart change that no other cart change, clearing, purchase or erasure follows within the
   * delay. Each cart change starts a match of its own (no skip); the next one ends the previous
   * match, which is how a change re-arms the reminder.
   *
   * <p>The window is one millisecond longer than the delay: CEP times a match out before it
   * processes the events of the instant that ends the window, while Beckon applies an event at the
   * due instant before the fire (contract section 2). So a purchase exactly 2 h after the last cart
   * change still cancels, as in Beckon.
   */
  static final Pattern<Event, ?> ABANDONED =
      Pattern.<Event>begin("armed", AfterMatchSkipStrategy.noSkip())
          .where(SimpleCondition.of(e -> CART_CHANGES.contains(e.getType())))
          .notFollowedBy("disarmed")
          .where(SimpleCondition.of(e -> DISARMS.contains(e.getType())))
          .within(DELAY.plusMillis(1));

  /** Events of one instant in Beckon's order: by event id. */
  static final EventComparator<Event> BY_EVENT_ID =
      (a, b) -> a.getEventId().compareTo(b.getEventId());

  static final OutputTag<Scheduled> LATE = new OutputTag<>("late", Scheduled.TYPE);

  private CepCartAbandonment() {}

  /**
   * The reminder's send commands for events that carry event-time timestamps and watermarks. Every
   * operator runs at the environment's parallelism; after the one {@code keyBy} the user's events
   * stay on their subtask.
   */
  public static DataStream<SendCommand> build(DataStream<Event> events) {
    AvroTypeInfo<Event> eventType = new AvroTypeInfo<>(Event.class);
    SingleOutputStreamOperator<Event> onTime =
        events
            .filter(e -> READ.contains(e.getType()))
            // Chained to the source: records and watermarks reach keyBy in the source's order.
            .setParallelism(events.getParallelism())
            .name("Cart, reachability and erasure events")
            .keyBy(Event::getUserId)
            .process(new DropRepeats(), eventType)
            .name("Drop repeated event ids; split late events");
    KeyedStream<Event, String> keyedOnTime = byUser(onTime);

    DataStream<Scheduled> due =
        CEP.pattern(keyedOnTime, ABANDONED, BY_EVENT_ID)
            .inEventTime()
            .process(new DueAt(), Scheduled.TYPE)
            .name("CEP: cart change not followed by another within 2h");

    return keyedOnTime
        .connect(
            DataStreamUtils.reinterpretAsKeyedStream(
                due.union(onTime.getSideOutput(LATE)), s -> s.user, Types.STRING))
        .process(new CartReminder(), new AvroTypeInfo<>(SendCommand.class))
        .name("Cart reminder: audience, cooldown, channel, text");
  }

  /** A stream that is still partitioned by user, as Flink's own keyBy left it. */
  private static KeyedStream<Event, String> byUser(DataStream<Event> stream) {
    return DataStreamUtils.reinterpretAsKeyedStream(stream, Event::getUserId, Types.STRING);
  }

  /**
   * Drops an event whose id the user already sent within 24 h of event time (apps retry), and sends
   * late events (at or below the watermark, which is what CEP and Beckon call late) to {@link
   * #LATE}. Repeats are judged in arrival order; Beckon judges them in event-time order, which
   * differs only for copies with different times that arrive out of order.
   *
   * <p>A late event takes effect in Beckon when it arrives: after the fires due up to the watermark
   * W it met, before any later one. The reminder sees it through another channel than CEP's due
   * reminders, so it could come before a reminder due at W or earlier; it therefore travels with
   * its instant, W + 1 (CEP reports a reminder due at W only once the watermark passes W), and the
   * reminder applies it then, before that instant's events.
   */
  static final class DropRepeats extends KeyedProcessFunction<String, Event, Event> {
    private static final long serialVersionUID = 1L;
    static final long WINDOW = Duration.ofDays(1).toMillis();
    static final long SWEEP_GRID = Duration.ofHours(1).toMillis();

    private transient MapState<String, Long> seen;

    @Override
    public void open(OpenContext openContext) {
      seen =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.LONG));
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) throws Exception {
      long time = e.getTime().toEpochMilli();
      Long before = seen.get(e.getEventId());
      if (before != null && Math.abs(time - before) <= WINDOW) {
        return;
      }
      seen.put(e.getEventId(), time);
      // One sweep per user and hour at most: Flink keeps one timer per key and instant.
      long forgettable = time + WINDOW + 1;
      ctx.timerService()
          .registerEventTimeTimer(
              Math.floorDiv(forgettable + SWEEP_GRID - 1, SWEEP_GRID) * SWEEP_GRID);
      long watermark = ctx.timerService().currentWatermark();
      if (ctx.timestamp() <= watermark) {
        ctx.output(LATE, Scheduled.late(e, watermark + 1));
      } else {
        out.collect(e);
      }
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Event> out) throws Exception {
      List<String> forget = new ArrayList<>();
      for (Map.Entry<String, Long> id : seen.entries()) {
        if (id.getValue() < now - WINDOW) {
          forget.add(id.getKey());
        }
      }
      for (String id : forget) {
        seen.remove(id);
      }
    }
  }

  /** A match is a reminder due at the arming event's time + the delay. */
  static final class DueAt extends PatternProcessFunction<Event, Scheduled> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processMatch(
        Map<String, List<Event>> match, Context ctx, Collector<Scheduled> out) {
      Event armed = match.get("armed").get(0);
      out.collect(Scheduled.due(armed, armed.getTime().plus(DELAY).toEpochMilli()));
    }
  }

  /**
   * What reaches the reminder besides on-time events, each with the instant it takes effect: a
   * reminder CEP found due (with the id of the event that armed it), or a late event. A Flink POJO.
   */
  public static class Scheduled {
    static final TypeInformation<Scheduled> TYPE = Types.POJO(Scheduled.class);

    public String user;
    public long at;
    public String armedBy;
    public Event late;

    static Scheduled due(Event armedBy, long at) {
      Scheduled s = new Scheduled();
      s.user = armedBy.getUserId();
      s.at = at;
      s.armedBy = armedBy.getEventId();
      return s;
    }

    static Scheduled late(Event e, long at) {
      Scheduled s = new Scheduled();
      s.user = e.getUserId();
      s.at = at;
      s.late = e;
      return s;
    }
  }

  /**
   * Compares two runs by their fires: the multiset of (user, rule, channel, fire time). Returns
   * null when they agree, else a description of the first difference in fire-time order.
   */
  public static String sameFires(List<SendCommand> a, List<SendCommand> b) {
    List<Fire> left = fires(a);
    List<Fire> right = fires(b);
    int i = 0;
    int j = 0;
    while (i < left.size() || j < right.size()) {
      int order =
          i == left.size()
              ? 1
              : j == right.size() ? -1 : Fire.ORDER.compare(left.get(i), right.get(j));
      if (order != 0) {
        return String.format(
            "%d fires against %d; the first difference is only in the %s list: %s",
            left.size(),
            right.size(),
            order < 0 ? "first" : "second",
            order < 0 ? left.get(i) : right.get(j));
      }
      i++;
      j++;
    }
    return null;
  }

  /** What makes two fires the same for {@link #sameFires}. */
  record Fire(Instant time, String user, String rule, String channel) {
    static final Comparator<Fire> ORDER =
        Comparator.comparing(Fire::time)
            .thenComparing(Fire::user)
            .thenComparing(Fire::rule)
            .thenComparing(Fire::channel);

    @Override
    public String toString() {
      return time + " " + user + " " + rule + " " + channel;
    }
  }

  private static List<Fire> fires(List<SendCommand> commands) {
    List<Fire> fires = new ArrayList<>(commands.size());
    for (SendCommand c : commands) {
      fires.add(new Fire(c.getFireTime(), c.getUserId(), c.getRuleId(), c.getChannel()));
    }
    fires.sort(Fire.ORDER);
    return fires;
  }
}
