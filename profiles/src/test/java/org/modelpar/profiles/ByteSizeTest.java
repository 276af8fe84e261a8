package org.modelpar.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void parsesWholeNumbersWithBinaryUnits() {
        assertThat(ByteSize.parse("48MiB", "x")).isEqualTo(48L << 20);
        assertThat(ByteSize.parse("2GiB", "x")).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("512KiB", "x")).isEqualTo(512L << 10);
        assertThat(ByteSize.parse("4096B", "x")).isEqualTo(4096);
        assertThat(ByteSize.parse("3TiB", "x")).isEqualTo(3L << 40);
    }

    @Test
    void rejectsAnythingElseNamingTheValue() {
        for (String bad : new String[] {"48", "48M", "48MB", "48 MiB", "48mib", "1.5GiB", "-1MiB", "0MiB", "", "MiB"}) {
            assertThatThrownBy(() -> ByteSize.parse(bad, "--device-memory")).isInstanceOf(ProfileException.class)
                    .hasMessageStartingWith("--device-memory must be ").hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> ByteSize.parse("8388608TiB", "--device-memory"))
                .hasMessage("--device-memory must be at least 1B and below 8EiB, got '8388608TiB'");
        assertThat(ByteSize.parse("8388607TiB", "x")).isEqualTo(8388607L << 40);
    }

    @Test
    void exactFormReadsBack() {
        assertThat(ByteSize.exact(48L << 20)).isEqualTo("48MiB");
        assertThat(ByteSize.exact(1000)).isEqualTo("1000B");
        assertThat(ByteSize.exact(1536L << 20)).isEqualTo("1536MiB");
        for (long b : new long[] {1, 1023, 1024, 3L << 30, (1L << 40) + 1024}) {
            assertThat(ByteSize.parse(ByteSize.exact(b), "x")).isEqualTo(b);
        }
    }

    @Test
    void formatsInTheUnitOfTheScale() {
        assertThat(ByteSize.format(46887424)).isEqualTo("44.72 MiB");
        assertThat(ByteSize.format(75.0 * (1L << 30), 80L << 30)).isEqualTo("75.00 GiB");
        assertThat(ByteSize.format(1L << 29, 80L << 30)).isEqualTo("0.50 GiB");
        assertThat(ByteSize.format(3L << 40)).isEqualTo("3.00 TiB");
        assertThat(ByteSize.unit(48L << 20)).isEqualTo("MiB");
        assertThat(ByteSize.unitBytes(48L << 20)).isEqualTo(1048576.0);
    }
}
