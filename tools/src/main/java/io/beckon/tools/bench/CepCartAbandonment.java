package io.beckon.tools.bench;

import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * PLACEHOLDER for the cart-abandonment rule written with Flink CEP, which is written elsewhere and
 * replaces this file at merge. It has the real class's signature so that the bench compiles and
 * runs: it emits no command and {@link #sameFires} compares nothing.
 */
public final class CepCartAbandonment {
  private CepCartAbandonment() {}

  /** The rule's send commands from events with event-time watermarks (placeholder: none). */
  public static DataStream<SendCommand> build(DataStream<Event> eventsWithWatermarks) {
    return eventsWithWatermarks
        .flatMap(new NoCommands())
        .returns(new AvroTypeInfo<>(SendCommand.class))
        .uid("cep-cart-abandonment")
        .name("CEP cart abandonment (placeholder)");
  }

  /** Null when both lists hold the same fires, else the first difference (placeholder: null). */
  public static String sameFires(List<SendCommand> a, List<SendCommand> b) {
    return null;
  }

  private static final class NoCommands implements FlatMapFunction<Event, SendCommand> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Event event, Collector<SendCommand> out) {}
  }
}
