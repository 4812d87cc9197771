package io.isofold.worker.device;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * The devices TensorFlow sees in this process, from an empty session: creating a session is what makes TF open
 * CUDA and register its GPUs, so this is the same view the trainer gets. TF Java keeps its session's handle
 * private, hence the C API.
 */
public final class TfDevices {
    private TfDevices() {}

    /** Short names ({@code /device:CPU:0}, {@code /device:GPU:0}), in TF's order. */
    public static List<String> list() {
        TensorFlow.version(); // loads the native library
        // growth on: listing must not map a GPU's whole memory while a training worker may be using it
        byte[] config = ConfigProto.newBuilder()
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true)).build().toByteArray();
        TF_Status status = TF_NewStatus();
        TF_Graph graph = TF_NewGraph();
        TF_SessionOptions options = TF_NewSessionOptions();
        try (BytePointer bytes = new BytePointer(config)) {
            TF_SetConfig(options, bytes, config.length, status);
            check(status, "session config");
            TF_Session session = TF_NewSession(graph, options, status);
            check(status, "new session");
            try {
                TF_DeviceList devices = TF_SessionListDevices(session, status);
                check(status, "list devices");
                try {
                    List<String> names = new ArrayList<>();
                    for (int i = 0, n = TF_DeviceListCount(devices); i < n; i++) {
                        BytePointer name = TF_DeviceListName(devices, i, status);
                        check(status, "device name");
                        names.add(DeviceProbe.shortName(name.getString()));
                    }
                    return names;
                } finally {
                    TF_DeleteDeviceList(devices);
                }
            } finally {
                TF_CloseSession(session, status);
                TF_DeleteSession(session, status);
            }
        } finally {
            TF_DeleteSessionOptions(options);
            TF_DeleteGraph(graph);
            TF_DeleteStatus(status);
        }
    }

    private static void check(TF_Status status, String what) {
        if (TF_GetCode(status) != TF_OK) {
            throw new IllegalStateException("TensorFlow " + what + ": " + TF_Message(status).getString());
        }
    }
}
