package org.modelpar.simulator;

import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/** The roofline model with a free optimizer step, to isolate communication in tests (a test may override more). */
public class ZeroOptimizerCostModel implements CostModel {
    private final RooflineCostModel roofline = new RooflineCostModel();

    @Override
    public double forwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        return roofline.forwardSeconds(op, device, work);
    }

    @Override
    public double backwardSeconds(OpNode op, DeviceProfile device, OpWork work) {
        return roofline.backwardSeconds(op, device, work);
    }

    @Override
    public double optimizerSeconds(DeviceProfile device, long parameters, Precision precision, OptimizerKind optimizer) {
        return 0;
    }

    @Override
    public Link link(ClusterSpec cluster, String fromDevice, String toDevice) {
        return roofline.link(cluster, fromDevice, toDevice);
    }
}
