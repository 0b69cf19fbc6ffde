package io.beckon.jobs.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.beckon.schema.state.CartLine;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.JourneyInstance;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * The hand-written copies copy every field of the schema (each filled with a value unlike its
 * default, so a forgotten field shows as a difference) and share no container with the original.
 */
class StateCopiesTest {
  private int counter;

  @Test
  void everyFieldIsCopiedAndNoContainerShared() {
    ProfileState profile = filled(new ProfileState());
    assertCopy(profile, StateCopies.copy(profile));

    CartState cart = new CartState(new ArrayList<>(List.of(filled(new CartLine()))));
    CartState cartCopy = StateCopies.copy(cart);
    assertCopy(cart, cartCopy);
    assertNotSame(cart.getLines().get(0), cartCopy.getLines().get(0));

    TriggerState triggers = filled(new TriggerState());
    triggers.setPending(new ArrayList<>(List.of(filled(new PendingFire()))));
    triggers.setJourneys(new ArrayList<>(List.of(filled(new JourneyInstance()))));
    TriggerState triggersCopy = StateCopies.copy(triggers);
    assertCopy(triggers, triggersCopy);
    assertNotSame(triggers.getPending().get(0), triggersCopy.getPending().get(0));
    assertNotSame(triggers.getJourneys().get(0), triggersCopy.getJourneys().get(0));
  }

  /** Every field set to a value unlike its default, from the schema. */
  private <T extends SpecificRecordBase> T filled(T record) {
    for (Schema.Field field : record.getSchema().getFields()) {
      record.put(field.pos(), valueOf(nonNull(field.schema())));
    }
    return record;
  }

  private Object valueOf(Schema schema) {
    counter++;
    return switch (schema.getType()) {
      case STRING -> "s" + counter;
      case LONG -> 1000L + counter;
      case INT -> 1000 + counter;
      case DOUBLE -> 0.5 + counter;
      case BOOLEAN -> true;
      case MAP -> new HashMap<>(Map.of("k" + counter, valueOf(schema.getValueType())));
      case ARRAY -> new ArrayList<>();
      default -> throw new IllegalArgumentException("add a value for " + schema);
    };
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream()
        .filter(s -> s.getType() != Schema.Type.NULL)
        .findFirst()
        .get();
  }

  private static void assertCopy(SpecificRecordBase original, SpecificRecordBase copy) {
    assertEquals(original, copy);
    for (Schema.Field field : original.getSchema().getFields()) {
      Object value = original.get(field.pos());
      if (value instanceof Map || value instanceof List) {
        assertNotSame(value, copy.get(field.pos()), field.name() + " is shared");
      }
    }
  }
}
