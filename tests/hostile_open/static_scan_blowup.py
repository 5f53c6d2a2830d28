# expect-status: error
# ruff: noqa: F821, F841
# The static scan runs in the judge, with no time limit: the aliases below feed one name (x) that gains a
# path the scan tracks one round at a time, and each gain re-solves every reader of x over all of x's
# bindings. 300 links take seconds; doubling them costs ~10x (600: ~70 s of the judge's CPU, before any
# worker exists).
import importlib

import torch


# fmt: off
def aliases():  # never called: only the scan walks it
    c0 = torch
    c23 = torch.nn
    c46 = torch.nn.functional
    c69 = torch.nn.modules
    c92 = torch.nn.modules.activation
    c115 = getattr
    c138 = isinstance
    c161 = issubclass
    c184 = __import__
    c207 = importlib
    c230 = importlib.import_module
    c253 = importlib.__import__
    c276 = __builtins__
    c1, x, y0, c2, x, y1, c3, x, y2, c4, x, y3 = c0, c0, x, c1, c1, x, c2, c2, x, c3, c3, x
    c5, x, y4, c6, x, y5, c7, x, y6, c8, x, y7 = c4, c4, x, c5, c5, x, c6, c6, x, c7, c7, x
    c9, x, y8, c10, x, y9, c11, x, y10, c12, x, y11 = c8, c8, x, c9, c9, x, c10, c10, x, c11, c11, x
    c13, x, y12, c14, x, y13, c15, x, y14, c16, x, y15 = c12, c12, x, c13, c13, x, c14, c14, x, c15, c15, x
    c17, x, y16, c18, x, y17, c19, x, y18, c20, x, y19 = c16, c16, x, c17, c17, x, c18, c18, x, c19, c19, x
    c21, x, y20, c22, x, y21, c23, x, y22, c24, x, y23 = c20, c20, x, c21, c21, x, c22, c22, x, c23, c23, x
    c25, x, y24, c26, x, y25, c27, x, y26, c28, x, y27 = c24, c24, x, c25, c25, x, c26, c26, x, c27, c27, x
    c29, x, y28, c30, x, y29, c31, x, y30, c32, x, y31 = c28, c28, x, c29, c29, x, c30, c30, x, c31, c31, x
    c33, x, y32, c34, x, y33, c35, x, y34, c36, x, y35 = c32, c32, x, c33, c33, x, c34, c34, x, c35, c35, x
    c37, x, y36, c38, x, y37, c39, x, y38, c40, x, y39 = c36, c36, x, c37, c37, x, c38, c38, x, c39, c39, x
    c41, x, y40, c42, x, y41, c43, x, y42, c44, x, y43 = c40, c40, x, c41, c41, x, c42, c42, x, c43, c43, x
    c45, x, y44, c46, x, y45, c47, x, y46, c48, x, y47 = c44, c44, x, c45, c45, x, c46, c46, x, c47, c47, x
    c49, x, y48, c50, x, y49, c51, x, y50, c52, x, y51 = c48, c48, x, c49, c49, x, c50, c50, x, c51, c51, x
    c53, x, y52, c54, x, y53, c55, x, y54, c56, x, y55 = c52, c52, x, c53, c53, x, c54, c54, x, c55, c55, x
    c57, x, y56, c58, x, y57, c59, x, y58, c60, x, y59 = c56, c56, x, c57, c57, x, c58, c58, x, c59, c59, x
    c61, x, y60, c62, x, y61, c63, x, y62, c64, x, y63 = c60, c60, x, c61, c61, x, c62, c62, x, c63, c63, x
    c65, x, y64, c66, x, y65, c67, x, y66, c68, x, y67 = c64, c64, x, c65, c65, x, c66, c66, x, c67, c67, x
    c69, x, y68, c70, x, y69, c71, x, y70, c72, x, y71 = c68, c68, x, c69, c69, x, c70, c70, x, c71, c71, x
    c73, x, y72, c74, x, y73, c75, x, y74, c76, x, y75 = c72, c72, x, c73, c73, x, c74, c74, x, c75, c75, x
    c77, x, y76, c78, x, y77, c79, x, y78, c80, x, y79 = c76, c76, x, c77, c77, x, c78, c78, x, c79, c79, x
    c81, x, y80, c82, x, y81, c83, x, y82, c84, x, y83 = c80, c80, x, c81, c81, x, c82, c82, x, c83, c83, x
    c85, x, y84, c86, x, y85, c87, x, y86, c88, x, y87 = c84, c84, x, c85, c85, x, c86, c86, x, c87, c87, x
    c89, x, y88, c90, x, y89, c91, x, y90, c92, x, y91 = c88, c88, x, c89, c89, x, c90, c90, x, c91, c91, x
    c93, x, y92, c94, x, y93, c95, x, y94, c96, x, y95 = c92, c92, x, c93, c93, x, c94, c94, x, c95, c95, x
    c97, x, y96, c98, x, y97, c99, x, y98, c100, x, y99 = c96, c96, x, c97, c97, x, c98, c98, x, c99, c99, x
    c101, x, y100, c102, x, y101, c103, x, y102, c104, x, y103 = c100, c100, x, c101, c101, x, c102, c102, x, c103, c103, x
    c105, x, y104, c106, x, y105, c107, x, y106, c108, x, y107 = c104, c104, x, c105, c105, x, c106, c106, x, c107, c107, x
    c109, x, y108, c110, x, y109, c111, x, y110, c112, x, y111 = c108, c108, x, c109, c109, x, c110, c110, x, c111, c111, x
    c113, x, y112, c114, x, y113, c115, x, y114, c116, x, y115 = c112, c112, x, c113, c113, x, c114, c114, x, c115, c115, x
    c117, x, y116, c118, x, y117, c119, x, y118, c120, x, y119 = c116, c116, x, c117, c117, x, c118, c118, x, c119, c119, x
    c121, x, y120, c122, x, y121, c123, x, y122, c124, x, y123 = c120, c120, x, c121, c121, x, c122, c122, x, c123, c123, x
    c125, x, y124, c126, x, y125, c127, x, y126, c128, x, y127 = c124, c124, x, c125, c125, x, c126, c126, x, c127, c127, x
    c129, x, y128, c130, x, y129, c131, x, y130, c132, x, y131 = c128, c128, x, c129, c129, x, c130, c130, x, c131, c131, x
    c133, x, y132, c134, x, y133, c135, x, y134, c136, x, y135 = c132, c132, x, c133, c133, x, c134, c134, x, c135, c135, x
    c137, x, y136, c138, x, y137, c139, x, y138, c140, x, y139 = c136, c136, x, c137, c137, x, c138, c138, x, c139, c139, x
    c141, x, y140, c142, x, y141, c143, x, y142, c144, x, y143 = c140, c140, x, c141, c141, x, c142, c142, x, c143, c143, x
    c145, x, y144, c146, x, y145, c147, x, y146, c148, x, y147 = c144, c144, x, c145, c145, x, c146, c146, x, c147, c147, x
    c149, x, y148, c150, x, y149, c151, x, y150, c152, x, y151 = c148, c148, x, c149, c149, x, c150, c150, x, c151, c151, x
    c153, x, y152, c154, x, y153, c155, x, y154, c156, x, y155 = c152, c152, x, c153, c153, x, c154, c154, x, c155, c155, x
    c157, x, y156, c158, x, y157, c159, x, y158, c160, x, y159 = c156, c156, x, c157, c157, x, c158, c158, x, c159, c159, x
    c161, x, y160, c162, x, y161, c163, x, y162, c164, x, y163 = c160, c160, x, c161, c161, x, c162, c162, x, c163, c163, x
    c165, x, y164, c166, x, y165, c167, x, y166, c168, x, y167 = c164, c164, x, c165, c165, x, c166, c166, x, c167, c167, x
    c169, x, y168, c170, x, y169, c171, x, y170, c172, x, y171 = c168, c168, x, c169, c169, x, c170, c170, x, c171, c171, x
    c173, x, y172, c174, x, y173, c175, x, y174, c176, x, y175 = c172, c172, x, c173, c173, x, c174, c174, x, c175, c175, x
    c177, x, y176, c178, x, y177, c179, x, y178, c180, x, y179 = c176, c176, x, c177, c177, x, c178, c178, x, c179, c179, x
    c181, x, y180, c182, x, y181, c183, x, y182, c184, x, y183 = c180, c180, x, c181, c181, x, c182, c182, x, c183, c183, x
    c185, x, y184, c186, x, y185, c187, x, y186, c188, x, y187 = c184, c184, x, c185, c185, x, c186, c186, x, c187, c187, x
    c189, x, y188, c190, x, y189, c191, x, y190, c192, x, y191 = c188, c188, x, c189, c189, x, c190, c190, x, c191, c191, x
    c193, x, y192, c194, x, y193, c195, x, y194, c196, x, y195 = c192, c192, x, c193, c193, x, c194, c194, x, c195, c195, x
    c197, x, y196, c198, x, y197, c199, x, y198, c200, x, y199 = c196, c196, x, c197, c197, x, c198, c198, x, c199, c199, x
    c201, x, y200, c202, x, y201, c203, x, y202, c204, x, y203 = c200, c200, x, c201, c201, x, c202, c202, x, c203, c203, x
    c205, x, y204, c206, x, y205, c207, x, y206, c208, x, y207 = c204, c204, x, c205, c205, x, c206, c206, x, c207, c207, x
    c209, x, y208, c210, x, y209, c211, x, y210, c212, x, y211 = c208, c208, x, c209, c209, x, c210, c210, x, c211, c211, x
    c213, x, y212, c214, x, y213, c215, x, y214, c216, x, y215 = c212, c212, x, c213, c213, x, c214, c214, x, c215, c215, x
    c217, x, y216, c218, x, y217, c219, x, y218, c220, x, y219 = c216, c216, x, c217, c217, x, c218, c218, x, c219, c219, x
    c221, x, y220, c222, x, y221, c223, x, y222, c224, x, y223 = c220, c220, x, c221, c221, x, c222, c222, x, c223, c223, x
    c225, x, y224, c226, x, y225, c227, x, y226, c228, x, y227 = c224, c224, x, c225, c225, x, c226, c226, x, c227, c227, x
    c229, x, y228, c230, x, y229, c231, x, y230, c232, x, y231 = c228, c228, x, c229, c229, x, c230, c230, x, c231, c231, x
    c233, x, y232, c234, x, y233, c235, x, y234, c236, x, y235 = c232, c232, x, c233, c233, x, c234, c234, x, c235, c235, x
    c237, x, y236, c238, x, y237, c239, x, y238, c240, x, y239 = c236, c236, x, c237, c237, x, c238, c238, x, c239, c239, x
    c241, x, y240, c242, x, y241, c243, x, y242, c244, x, y243 = c240, c240, x, c241, c241, x, c242, c242, x, c243, c243, x
    c245, x, y244, c246, x, y245, c247, x, y246, c248, x, y247 = c244, c244, x, c245, c245, x, c246, c246, x, c247, c247, x
    c249, x, y248, c250, x, y249, c251, x, y250, c252, x, y251 = c248, c248, x, c249, c249, x, c250, c250, x, c251, c251, x
    c253, x, y252, c254, x, y253, c255, x, y254, c256, x, y255 = c252, c252, x, c253, c253, x, c254, c254, x, c255, c255, x
    c257, x, y256, c258, x, y257, c259, x, y258, c260, x, y259 = c256, c256, x, c257, c257, x, c258, c258, x, c259, c259, x
    c261, x, y260, c262, x, y261, c263, x, y262, c264, x, y263 = c260, c260, x, c261, c261, x, c262, c262, x, c263, c263, x
    c265, x, y264, c266, x, y265, c267, x, y266, c268, x, y267 = c264, c264, x, c265, c265, x, c266, c266, x, c267, c267, x
    c269, x, y268, c270, x, y269, c271, x, y270, c272, x, y271 = c268, c268, x, c269, c269, x, c270, c270, x, c271, c271, x
    c273, x, y272, c274, x, y273, c275, x, y274, c276, x, y275 = c272, c272, x, c273, c273, x, c274, c274, x, c275, c275, x
    c277, x, y276, c278, x, y277, c279, x, y278, c280, x, y279 = c276, c276, x, c277, c277, x, c278, c278, x, c279, c279, x
    c281, x, y280, c282, x, y281, c283, x, y282, c284, x, y283 = c280, c280, x, c281, c281, x, c282, c282, x, c283, c283, x
    c285, x, y284, c286, x, y285, c287, x, y286, c288, x, y287 = c284, c284, x, c285, c285, x, c286, c286, x, c287, c287, x
    c289, x, y288, c290, x, y289, c291, x, y290, c292, x, y291 = c288, c288, x, c289, c289, x, c290, c290, x, c291, c291, x
    c293, x, y292, c294, x, y293, c295, x, y294, c296, x, y295 = c292, c292, x, c293, c293, x, c294, c294, x, c295, c295, x
    c297, x, y296, c298, x, y297, c299, x, y298, c300, x, y299 = c296, c296, x, c297, c297, x, c298, c298, x, c299, c299, x
# fmt: on


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q
