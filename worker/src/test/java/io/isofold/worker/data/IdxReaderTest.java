package io.isofold.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.worker.BadTaskException;
import io.isofold.worker.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class IdxReaderTest {
    @TempDir
    Path dir;

    private static Dataset small() {
        // 3 images of 2x3, pixel values chosen to survive the byte round trip exactly
        float[] pixels = new float[3 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i * 15) / 255f;
        }
        return new Dataset(2, 3, 1, pixels, new int[] {2, 0, 1}, 3);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readsPlainAndGzipFiles(boolean gzip) throws IOException {
        Path images = TestData.writeIdx(small(), dir, "train", gzip);

        Dataset d = IdxReader.read(images);

        assertThat(d).isEqualTo(small());
        assertThat(d.height()).isEqualTo(2);
        assertThat(d.width()).isEqualTo(3);
        assertThat(d.classes()).isEqualTo(3);
    }

    @Test
    void aDirectoryMeansItsTrainingFilesNotTheTestFiles() throws IOException {
        TestData.writeIdx(small(), dir, "train", true);
        Dataset other = new Dataset(2, 3, 1, new float[6], new int[] {1}, 2);
        TestData.writeIdx(other, dir, "t10k", true);

        assertThat(IdxReader.readDirectory(dir)).isEqualTo(small());
        assertThat(DatasetReader.read(dir)).isEqualTo(small());
    }

    @Test
    void readsTheBundledSubsetStratified() {
        Dataset d = DatasetReader.read(TestData.BUNDLED);

        assertThat(d.size()).isEqualTo(10_000);
        assertThat(d.height()).isEqualTo(28);
        assertThat(d.width()).isEqualTo(28);
        assertThat(d.channels()).isEqualTo(1);
        assertThat(d.classes()).isEqualTo(10);
        int[] perClass = new int[10];
        Arrays.stream(d.labels()).forEach(l -> perClass[l]++);
        assertThat(perClass).containsOnly(1000);
        float max = 0;
        for (float p : d.pixels()) {
            assertThat(p).isBetween(0f, 1f);
            max = Math.max(max, p);
        }
        assertThat(max).isEqualTo(1f);
    }

    @Test
    void aTruncatedImagesFileIsABadTaskSayingSo() throws IOException {
        Path images = TestData.writeIdx(small(), dir, "train", false);
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 5));

        assertThatThrownBy(() -> IdxReader.read(images))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("promises 18 bytes of data, it holds 13");
    }

    @Test
    void aTruncatedGzipFileIsABadTaskSayingSo() throws IOException {
        Path images = TestData.writeIdx(TestData.bundledSlice(5), dir, "train", true);
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> IdxReader.read(images))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void garbageIsNotAnIdxFile() throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.writeString(images, "<html>404 not found</html>");
        TestData.writeIdx(small(), dir.resolve("other"), "train", false);
        Files.copy(dir.resolve("other/train-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte"));

        assertThatThrownBy(() -> IdxReader.read(images))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("not an IDX file");
    }

    @Test
    void imagesAndLabelsMustAgreeInCount() throws IOException {
        TestData.writeIdx(small(), dir, "train", false);
        TestData.writeIdx(new Dataset(2, 3, 1, new float[12], new int[] {0, 1}, 2), dir.resolve("two"), "train", false);
        Files.copy(dir.resolve("two/train-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> IdxReader.readDirectory(dir))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("3 images but")
                .hasMessageContaining("2 labels");
    }

    @Test
    void aMissingLabelsFileIsNamed() throws IOException {
        Path images = TestData.writeIdx(small(), dir, "train", true);
        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));

        assertThatThrownBy(() -> IdxReader.read(images))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("train-labels-idx1-ubyte.gz does not exist");
    }

    /** A header that promises more than any array can hold, as a corrupt one may: one line, no allocation. */
    @Test
    void aHeaderPromisingTooMuchIsABadTask() throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * 4 + 10);
        b.put(new byte[] {0, 0, 0x08, 4}).putInt(65535).putInt(65535).putInt(65535).putInt(65535);
        Files.write(images, b.array());
        TestData.writeIdx(small(), dir.resolve("other"), "train", false);
        Files.copy(dir.resolve("other/train-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte"));

        assertThatThrownBy(() -> IdxReader.read(images))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("promises more than")
                .hasMessageContaining("more than one array holds");
    }

    @Test
    void bytesAfterTheDataAreCounted() throws IOException {
        Path images = TestData.writeIdx(small(), dir, "train", true);
        byte[] plain;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(images))) {
            plain = in.readAllBytes();
        }
        Path extended = dir.resolve("x/train-images-idx3-ubyte");
        Files.createDirectories(extended.getParent());
        Files.write(extended, java.util.Arrays.copyOf(plain, plain.length + 7));
        Files.copy(dir.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("x/train-labels-idx1-ubyte"));

        assertThatThrownBy(() -> IdxReader.read(extended))
                .isInstanceOf(BadTaskException.class)
                .hasMessageContaining("has 7 bytes after the data");
    }
}
