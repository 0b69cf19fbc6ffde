package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.geo.Fence;
import java.util.List;
import java.util.Set;

/** The trigger kinds of the contract, with their parameters (durations in milliseconds). */
public sealed interface Trigger {

  /** The kind as written in rule files and send commands. */
  String kind();

  record CartAbandoned(long delay) implements Trigger {
    @Override
    public String kind() {
      return "cart_abandoned";
    }
  }

  record Inactivity(long after, Set<String> activity) implements Trigger {
    @Override
    public String kind() {
      return "inactivity";
    }
  }

  record GeofenceEntered(List<Fence> fences, double maxAccuracyM, long dwell, long cooldown)
      implements Trigger {
    @Override
    public String kind() {
      return "geofence_entered";
    }

    public Fence fence(String id) {
      return fences.stream().filter(f -> f.id().equals(id)).findFirst().orElse(null);
    }
  }

  /** {@code where} may be null (every event of the type matches). */
  record OnEvent(String event, Condition where, long delay) implements Trigger {
    @Override
    public String kind() {
      return "event";
    }
  }

  /**
   * A date held by the profile (contract section 8). {@code at} null is instant mode (value +
   * offset, exact); given, calendar mode (the anchor date + whole days of offset, at that wall time
   * in the user's zone). {@code offset} is signed, in milliseconds.
   */
  record OnDate(String attribute, long offset, java.time.LocalTime at, boolean yearly)
      implements Trigger {
    @Override
    public String kind() {
      return "date";
    }

    public boolean calendar() {
      return at != null;
    }
  }
}
