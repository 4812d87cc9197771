package io.isofold.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.worker.BadTaskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class CsvReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsLabelThenPixelsWithAHeader() throws IOException {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "label,p1,p2,p3,p4\n3,0,255,51,102\n1,255,255,0,0\n\n");

        Dataset d = DatasetReader.read(csv);

        assertThat(d.size()).isEqualTo(2);
        assertThat(d.height()).isEqualTo(2);
        assertThat(d.width()).isEqualTo(2);
        assertThat(d.classes()).isEqualTo(4);
        assertThat(d.labels()).containsExactly(3, 1);
        assertThat(d.pixels()).containsExactly(0f, 1f, 0.2f, 0.4f, 1f, 1f, 0f, 0f);
    }

    @Test
    void readsWithoutAHeader() throws IOException {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "0,0\n1,255\n");

        assertThat(CsvReader.read(csv).labels()).containsExactly(0, 1);
    }

    @Test
    void rowsOfDifferentLengthAreABadTaskWithLineNumbers() throws IOException {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "label,a,b,c,d\n0,1,2,3,4\n1,1,2,3\n");

        assertThatThrownBy(() -> CsvReader.read(csv))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("line 3 has 3 pixels, line 2 has 4");
    }

    @Test
    void aBadPixelIsABadTaskWithItsPlace() throws IOException {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "0,1,2,3,4\n1,1,2,x,4\n");

        assertThatThrownBy(() -> CsvReader.read(csv))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("line 2 column 4: pixel 'x' is not a number");
        Files.writeString(csv, "0,1,2,3,300\n");
        assertThatThrownBy(() -> CsvReader.read(csv)).hasMessageContaining("outside 0..255");
    }

    @Test
    void nonSquareImagesAreABadTask() throws IOException {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "0,1,2,3\n1,1,2,3\n");

        assertThatThrownBy(() -> CsvReader.read(csv)).hasMessageContaining("3 pixels, which is not a square");
    }

    @Test
    void anUnknownFileFormatIsABadTask() throws IOException {
        Path file = dir.resolve("data.parquet");
        Files.writeString(file, "x");

        assertThatThrownBy(() -> DatasetReader.read(file)).isInstanceOf(BadTaskException.class)
                .hasMessageContaining("cannot tell the format");
        assertThatThrownBy(() -> DatasetReader.read(dir.resolve("missing"))).isInstanceOf(BadTaskException.class)
                .hasMessageContaining("does not exist");
    }
}
