// A 3-D Li | electrolyte cell drawn in Gmsh by hand (OpenCASCADE, micrometres): a 40 x 40 um
// patch, electrolyte 20 um above z = 0, Li 10 um below, a hemispherical pore of radius 8 um cut
// into the Li under its centre. Physical groups carry ssbx's tag names (selected by bounding
// boxes); `ssbx run examples/user_geometry_3d.toml` reads it (geometry.dimension = 3).
SetFactory("OpenCASCADE");
fine = 0.8;    // element size on the pore's rim (where the current concentrates)
coarse = 4;
eps = 1e-3;
Box(1) = {0, 0, -10, 40, 40, 10};         // Li
Box(2) = {0, 0, 0, 40, 40, 20};           // electrolyte
Sphere(3) = {20, 20, 0, 8};               // the pore (its lower half is cut from the Li)
BooleanDifference(4) = { Volume{1}; Delete; }{ Volume{3}; Delete; };
BooleanFragments{ Volume{2}; Delete; }{ Volume{4}; Delete; }
Physical Volume("electrolyte") = Volume In BoundingBox{-eps, -eps, -eps, 40+eps, 40+eps, 20+eps};
Physical Volume("lithium") = Volume In BoundingBox{-eps, -eps, -10-eps, 40+eps, 40+eps, eps};
interface() = Surface In BoundingBox{-eps, -eps, -eps, 40+eps, 40+eps, eps};
pore_top() = Surface In BoundingBox{12-eps, 12-eps, -eps, 28+eps, 28+eps, eps};
Physical Surface("void_se") = {pore_top()};
Physical Surface("contact") = {interface()};
Physical Surface("contact") -= {pore_top()};
Physical Surface("void_li") = Surface In BoundingBox{12-eps, 12-eps, -8-eps, 28+eps, 28+eps, -eps};
Physical Surface("se_top") = Surface In BoundingBox{-eps, -eps, 20-eps, 40+eps, 40+eps, 20+eps};
Physical Surface("li_bottom") = Surface In BoundingBox{-eps, -eps, -10-eps, 40+eps, 40+eps, -10+eps};
Physical Surface("side_left") = Surface In BoundingBox{-eps, -eps, -10-eps, eps, 40+eps, 20+eps};
Physical Surface("side_right") = Surface In BoundingBox{40-eps, -eps, -10-eps, 40+eps, 40+eps, 20+eps};
Physical Surface("side_front") = Surface In BoundingBox{-eps, -eps, -10-eps, 40+eps, eps, 20+eps};
Physical Surface("side_back") = Surface In BoundingBox{-eps, 40-eps, -10-eps, 40+eps, 40+eps, 20+eps};
// element sizes: fine on the pore's rim (the circle at z = 0), growing to coarse over 8 um
rim() = Curve In BoundingBox{12-eps, 12-eps, -eps, 28+eps, 28+eps, eps};
Field[1] = Distance; Field[1].CurvesList = {rim()}; Field[1].Sampling = 200;
Field[2] = Threshold; Field[2].InField = 1; Field[2].SizeMin = fine; Field[2].SizeMax = coarse;
Field[2].DistMin = 0; Field[2].DistMax = 8;
Background Field = 2;
Mesh.MeshSizeExtendFromBoundary = 0;
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
