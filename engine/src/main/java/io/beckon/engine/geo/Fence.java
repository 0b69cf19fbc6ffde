package io.beckon.engine.geo;

import java.util.List;

/** A geofence of a {@code geofence_entered} rule: a circle or a polygon. */
public sealed interface Fence {
  /** Mean Earth radius used for every great-circle distance (metres). */
  double EARTH_RADIUS_M = 6_371_008.8;

  String id();

  /** Whether a point is inside; the boundary counts as inside. */
  boolean contains(double lat, double lon);

  /** Distance from the point to the fence's centre (a polygon's: the mean of its vertices). */
  double distanceMeters(double lat, double lon);

  /** Haversine great-circle distance in metres. */
  static double haversineMeters(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double h =
        Math.sin(dp / 2) * Math.sin(dp / 2)
            + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /** {@code {id, lat, lon, radius_m}}. */
  record Circle(String id, double lat, double lon, double radiusM) implements Fence {
    @Override
    public boolean contains(double pLat, double pLon) {
      return distanceMeters(pLat, pLon) <= radiusM;
    }

    @Override
    public double distanceMeters(double pLat, double pLon) {
      return haversineMeters(lat, lon, pLat, pLon);
    }
  }

  /**
   * {@code {id, polygon: [[lat, lon], ...]}}, closed implicitly, tested in plain lat/lon
   * coordinates; edges and vertices are inside.
   */
  record Polygon(String id, List<double[]> vertices) implements Fence {
    @Override
    public boolean contains(double lat, double lon) {
      int n = vertices.size();
      boolean inside = false;
      for (int i = 0, j = n - 1; i < n; j = i++) {
        double[] a = vertices.get(i);
        double[] b = vertices.get(j);
        if (onSegment(a, b, lat, lon)) {
          return true;
        }
        // Ray cast along increasing longitude: count edges crossing the point's latitude.
        if ((a[0] > lat) != (b[0] > lat)) {
          double crossLon = a[1] + (lat - a[0]) * (b[1] - a[1]) / (b[0] - a[0]);
          if (lon < crossLon) {
            inside = !inside;
          }
        }
      }
      return inside;
    }

    private static boolean onSegment(double[] a, double[] b, double lat, double lon) {
      double cross = (b[0] - a[0]) * (lon - a[1]) - (b[1] - a[1]) * (lat - a[0]);
      if (Math.abs(cross) > 1e-12) {
        return false;
      }
      return lat >= Math.min(a[0], b[0])
          && lat <= Math.max(a[0], b[0])
          && lon >= Math.min(a[1], b[1])
          && lon <= Math.max(a[1], b[1]);
    }

    @Override
    public double distanceMeters(double lat, double lon) {
      double sumLat = 0;
      double sumLon = 0;
      for (double[] v : vertices) {
        sumLat += v[0];
        sumLon += v[1];
      }
      return haversineMeters(sumLat / vertices.size(), sumLon / vertices.size(), lat, lon);
    }
  }
}
