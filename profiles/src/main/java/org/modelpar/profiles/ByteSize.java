package org.modelpar.profiles;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as people write them: a whole number and a binary unit, {@code 48MiB}, {@code 2GiB},
 * {@code 512KiB} or {@code 4096B}. Parsing is strict (no decimal units such as {@code MB}, no bare
 * numbers, no spaces), so a size means one number of bytes.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(B|KiB|MiB|GiB|TiB)");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {
    }

    /**
     * The bytes of {@code text}, at least 1.
     *
     * @param what names the value in the error, e.g. {@code --device-memory}
     * @throws ProfileException naming {@code what} and the text when it is not a positive size
     */
    public static long parse(String text, String what) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new ProfileException(what + " must be a size like 48MiB or 2GiB (a whole number and B, KiB, MiB, GiB"
                    + " or TiB), got '" + text + "'");
        }
        long number = Long.parseLong(m.group(1));
        int power = java.util.List.of(UNITS).indexOf(m.group(2));
        if (number < 1 || Long.numberOfLeadingZeros(number) <= 10 * power) {
            throw new ProfileException(what + " must be at least 1B and below 8EiB, got '" + text + "'");
        }
        return number << (10 * power);
    }

    /**
     * The shortest exact form of {@code bytes}: {@code 48MiB} for 50331648, {@code 1000B} for 1000; what
     * {@link #parse} reads back to the same bytes.
     */
    public static String exact(long bytes) {
        int power = 0;
        while (power < UNITS.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            power++;
        }
        return bytes + UNITS[power];
    }

    /** {@code bytes} in the unit that suits {@code scaleBytes}, two decimals: {@code 44.71 MiB}, {@code 69.89 GiB}. */
    public static String format(double bytes, long scaleBytes) {
        int power = unitPower(scaleBytes);
        return String.format(Locale.ROOT, "%.2f %s", bytes / Math.pow(1024, power), UNITS[power]);
    }

    /** {@code bytes} in the unit that suits its own size: {@code format(bytes, bytes)}. */
    public static String format(long bytes) {
        return format(bytes, bytes);
    }

    /** The unit that suits {@code scaleBytes}: MiB below 1 GiB, GiB up to 1 TiB, TiB beyond. */
    public static String unit(long scaleBytes) {
        return UNITS[unitPower(scaleBytes)];
    }

    /** Bytes per {@link #unit(long)}. */
    public static double unitBytes(long scaleBytes) {
        return Math.pow(1024, unitPower(scaleBytes));
    }

    private static int unitPower(long scaleBytes) {
        return scaleBytes < (1L << 30) ? 2 : scaleBytes < (1L << 40) ? 3 : 4;
    }
}
