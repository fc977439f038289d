package io.jsyd.oci.image;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reports layers as they unpack: a line per layer with bytes read and rate. On
 * a terminal the line is redrawn in place as the layer goes; elsewhere (when
 * forced with --progress) each layer gets one line when it is done.
 */
public interface Progress {
    Progress NONE = new Progress() {
        @Override
        public void layer(int index, int total, String name, long size) {
        }

        @Override
        public void advance(long bytes) {
        }

        @Override
        public void layerDone() {
        }
    };

    void layer(int index, int total, String name, long size);

    /** Bytes of the layer's blob read since the last call. */
    void advance(long bytes);

    void layerDone();

    static Progress to(PrintStream out, boolean redraw, LongSupplier nanoTime) {
        return new Lines(out, redraw, nanoTime);
    }

    /** "12.3 MiB" and such. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    final class Lines implements Progress {
        private static final long REDRAW_NANOS = 100_000_000L;

        private final PrintStream out;
        private final boolean redraw;
        private final LongSupplier nanoTime;
        private String label = "";
        private long size;
        private long done;
        private long started;
        private long lastDrawn;
        private int width;

        Lines(PrintStream out, boolean redraw, LongSupplier nanoTime) {
            this.out = out;
            this.redraw = redraw;
            this.nanoTime = nanoTime;
        }

        @Override
        public void layer(int index, int total, String name, long size) {
            this.label = "layer " + index + "/" + total + " " + name;
            this.size = size;
            this.done = 0;
            this.started = nanoTime.getAsLong();
            this.lastDrawn = started;
            if (redraw) {
                draw(false);
            }
        }

        @Override
        public void advance(long bytes) {
            done += bytes;
            long now = nanoTime.getAsLong();
            if (redraw && now - lastDrawn >= REDRAW_NANOS) {
                lastDrawn = now;
                draw(false);
            }
        }

        @Override
        public void layerDone() {
            draw(true);
        }

        private void draw(boolean last) {
            double seconds = Math.max(1e-9, (nanoTime.getAsLong() - started) / 1e9);
            String line = label + "  " + bytes(done) + (size >= 0 && !last ? " / " + bytes(size) : "")
                    + "  " + bytes((long) (done / seconds)) + "/s" + (last ? String.format(Locale.ROOT, "  %.1fs",
                    seconds) : "");
            if (redraw) {
                // pad over the previous, longer line
                String padded = line.length() < width ? line + " ".repeat(width - line.length()) : line;
                width = line.length();
                out.print("\r" + padded + (last ? "\n" : ""));
            } else {
                out.println(line);
            }
            out.flush();
        }
    }
}
