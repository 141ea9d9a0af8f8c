<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnnotatePage</name>
    <message>
        <location filename="../../mtl_studio/gui/annotate_page.py" line="+325"/>
        <location line="+101"/>
        <source>No document selected</source>
        <translation>未选择文档</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>◀ Previous</source>
        <translation>◀ 上一篇</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous document (K)</source>
        <translation>上一篇文档 (K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next ▶</source>
        <translation>下一篇 ▶</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next document (J)</source>
        <translation>下一篇文档 (J)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next unlabelled »</source>
        <translation>下一篇未标注 »</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next document that still needs labels (N)</source>
        <translation>下一篇仍需标注的文档 (N)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>NER done (D)</source>
        <translation>NER 已完成 (D)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The document is annotated for entities, even if it has none. Unlabelled documents are left out of NER training, not taken as “no entities”.</source>
        <translation>本文档已完成实体标注（即使其中没有实体）。未标注的文档不参与 NER 训练，而不会被当作“没有实体”。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{keys} polarity of the selected entity (again or Shift+key clears)</source>
        <translation>{keys} 设置所选实体的极性(再按一次或 Shift+键 清除)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{keys} {name} (Shift+key clears)</source>
        <translation>{keys} {name}(Shift+键 清除)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{n} entities</source>
        <translation>{n} 个实体</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 entity</source>
        <translation>1 个实体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Document {id}</source>
        <translation>文档 {id}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>train</source>
        <translation>训练集</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dev</source>
        <translation>验证集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>Drag or click words, or ←/→ (Shift to extend) · 1–9 entity type · Del remove · Tab next span · Q W E… sentiment · X clear sentiment · D NER done · Enter done &amp; next · J/K next/previous · N next unlabelled</source>
        <translation>拖动或点击词语，或 ←/→（Shift 扩展）· 1–9 实体类型 · Del 删除 · Tab 下一个实体 · Q W E… 情感 · X 清除情感 · D NER 完成 · Enter 完成并下一篇 · J/K 下一篇/上一篇 · N 下一篇未标注</translation>
    </message>
</context>
<context>
    <name>AnnotationEditor</name>
    <message>
        <location filename="../../mtl_studio/gui/editor.py" line="+84"/>
        <source>Select a document in the list on the left.</source>
        <translation>请在左侧列表中选择一篇文档。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Annotation editor</source>
        <translation>标注编辑器</translation>
    </message>
    <message>
        <location line="+195"/>
        <source>Select words first: drag over them, click a word or use the arrow keys.</source>
        <translation>请先选择词语：拖动选择、点击词语或使用方向键。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Replace spans with {label} “{text}”</source>
        <translation>用 {label}“{text}”替换片段</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The project has no entity types yet: add them in Edit &gt; Label schema.</source>
        <translation>项目还没有实体类型：请在“编辑 &gt; 标签体系”中添加。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Nothing to delete: click a span first.</source>
        <translation>没有可删除的内容：请先点击一个片段。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove {n} spans</source>
        <translation>删除 {n} 个片段</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The project does not label entity sentiment: switch it on in Edit &gt; Label schema.</source>
        <translation>本项目不标注实体情感:请在 编辑 &gt; 标签体系 中开启。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select an entity first (click it, or Tab to the next one), then press its polarity key.</source>
        <translation>请先选择一个实体(点击它,或按 Tab 到下一个),再按它的极性键。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{label_set} is already {label} (Shift with one of its keys clears it).</source>
        <translation>{label_set} 已经是 {label}(按住 Shift 再按它的某个键可清除)。</translation>
    </message>
    <message>
        <location line="+202"/>
        <source>Polarity: {text}</source>
        <translation>极性:{text}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Clear the polarity</source>
        <translation>清除极性</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delete span</source>
        <translation>删除片段</translation>
    </message>
    <message>
        <location line="+109"/>
        <source>{label} “{text}”</source>
        <translation>{label} “{text}”</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Polarity: {polarity} (its key again, or Shift+key, clears it)</source>
        <translation>极性:{polarity}(再按它的键或 Shift+键 清除)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No polarity yet: select it and press {keys}</source>
        <translation>尚无极性:选中后按 {keys}</translation>
    </message>
    <message>
        <location line="-410"/>
        <source>No entity type on key {n}: set keys in Edit &gt; Label schema.</source>
        <translation>按键 {n} 没有实体类型：请在“编辑 &gt; 标签体系”中设置按键。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>The sentiment is already {label} ({key} clears it).</source>
        <translation>情感已经是 {label}（按 {key} 清除）。</translation>
    </message>
</context>
<context>
    <name>BudgetText</name>
    <message>
        <location filename="../../mtl_studio/gui/budget_text.py" line="+26"/>
        <source>{} s</source>
        <translation>{} 秒</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{} min</source>
        <translation>{} 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} h</source>
        <translation>{} 小时</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>auto: {} training documents</source>
        <translation>自动：{} 篇训练文档</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+33"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>{task} {epochs}</source>
        <translation>{task} {epochs} 轮</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>epochs per task {}</source>
        <translation>各任务轮数：{}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>capped at {} steps</source>
        <translation>上限 {} 步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>lr for a {}-wide encoder</source>
        <translation>按 {} 维编码器选择学习率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>fixed by the settings</source>
        <translation>由设置指定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>budget: none yet (no labelled training documents for these tasks)</source>
        <translation>训练预算：暂无（这些任务还没有已标注的训练文档）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>about {} epoch</source>
        <translation>约 {} 轮</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>about {} epochs</source>
        <translation>约 {} 轮</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{} epoch</source>
        <translation>{} 轮</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} epochs</source>
        <translation>{} 轮</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} steps</source>
        <translation>{} 步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lr {}</source>
        <translation>学习率 {}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>~{} on this machine</source>
        <translation>本机约需 {}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>~{} by a first guess (no run measured here yet)</source>
        <translation>粗估约需 {}，本机尚未测过运行速度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>budget: {parts} ({reasons})</source>
        <translation>训练预算：{parts}（{reasons}）</translation>
    </message>
</context>
<context>
    <name>CheckPage</name>
    <message>
        <location filename="../../mtl_studio/gui/import_wizard.py" line="+199"/>
        <source>Check before importing</source>
        <translation>导入前检查</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing has been written yet. Errors must be fixed in the file; warnings are imported as they are.</source>
        <translation>尚未写入任何内容。错误必须在文件中修正；警告所涉及的数据会按原样导入。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Reading and checking {name}…</source>
        <translation>正在读取并检查 {name}…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The file could not be read: {error}</source>
        <translation>无法读取该文件：{error}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&lt;b style=&apos;color:#b00020&apos;&gt;{n} errors: nothing can be imported.&lt;/b&gt; Fix the lines listed below and check again.</source>
        <translation>&lt;b style=&apos;color:#b00020&apos;&gt;{n} 个错误：无法导入任何内容。&lt;/b&gt;请修正下面列出的行后再次检查。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ready to import &lt;b&gt;{docs}&lt;/b&gt; documents ({fmt}): {ner} labelled for NER with {ents} entities, {sents} with a sentiment label.</source>
        <translation>可以导入 &lt;b&gt;{docs}&lt;/b&gt; 篇文档（{fmt}）：{ner} 篇已做 NER 标注，共 {ents} 个实体；{sents} 篇带有情感标签。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} warnings.</source>
        <translation>{n} 个警告。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New labels: {labels}.</source>
        <translation>新标签：{labels}。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>sentiment: {label}</source>
        <translation>情感：{label}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not labelled for NER</source>
        <translation>未做 NER 标注</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>line {n}</source>
        <translation>第 {n} 行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>row {n}</source>
        <translation>第 {n} 行（表格）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location line="-8"/>
        <location line="+8"/>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>… and {n} more of the same kinds</source>
        <translation>……以及同类问题 {n} 个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>note</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>ClassRow</name>
    <message>
        <location filename="../../mtl_studio/gui/annotate_page.py" line="-195"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
</context>
<context>
    <name>ConflictChart</name>
    <message>
        <location filename="../../mtl_studio/gui/conflict_chart.py" line="+29"/>
        <source>Gradient cosine between the tasks</source>
        <translation>任务间梯度余弦</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cosine similarity of the tasks&apos; gradients on the shared encoder, every few steps. Persistently below 0: the tasks conflict (try PCGrad or a lower weight).</source>
        <translation>每隔几步测量各任务在共享编码器上的梯度余弦相似度。持续低于 0：任务相互冲突（可尝试 PCGrad 或降低权重）。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>all layers</source>
        <translation>所有层</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>embeddings</source>
        <translation>嵌入层</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>last layer</source>
        <translation>最后一层</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrixModel</name>
    <message>
        <location filename="../../mtl_studio/gui/metrics_models.py" line="+312"/>
        <source>Gold class</source>
        <translation>金标准类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Predicted class</source>
        <translation>预测类别</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>gold {}, predicted {}: {} ({}% of the gold class)</source>
        <translation>金标准 {}，预测 {}：{}（占该金标准类别的 {}%）</translation>
    </message>
</context>
<context>
    <name>DocumentFilters</name>
    <message>
        <location filename="../../mtl_studio/gui/models.py" line="+56"/>
        <source>NER</source>
        <translation>NER</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sentiment</source>
        <translation>情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>entity sentiment</source>
        <translation>实体情感</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Labelled for {task}</source>
        <translation>已标注 {task}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlabelled for {task}</source>
        <translation>未标注 {task}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All documents</source>
        <translation>全部文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlabelled for NER</source>
        <translation>NER 未标注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlabelled for sentiment</source>
        <translation>情感未标注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>With silver labels</source>
        <translation>含银标准（伪）标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Errors of the latest run</source>
        <translation>最近一次运行的错误</translation>
    </message>
</context>
<context>
    <name>DocumentListModel</name>
    <message>
        <location line="+348"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>NER</source>
        <translation>NER</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sentiment</source>
        <translation>情感</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>train</source>
        <translation>训练集</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dev</source>
        <translation>验证集</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>✓ {n}</source>
        <translation>✓ {n}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(silver)</source>
        <translation>（银标准）</translation>
    </message>
</context>
<context>
    <name>DocumentListPanel</name>
    <message>
        <location filename="../../mtl_studio/gui/document_list.py" line="+74"/>
        <source>Which documents to list</source>
        <translation>列出哪些文档</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Document order</source>
        <translation>文档顺序</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Most useful next: {strategy}</source>
        <translation>最值得标注：{strategy}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In which order to list the documents; J, K and N follow it</source>
        <translation>文档的列出顺序；J、K、N 按此顺序移动</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Search text…  (Ctrl+F)</source>
        <translation>搜索文本…  (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+196"/>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Counting…</source>
        <translation>正在计数…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{total} documents</source>
        <translation>{total} 篇文档</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>ranking by {strategy}…; document order until then</source>
        <translation>正在按{strategy}排序…；在此之前按文档顺序</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>run {run}</source>
        <translation>运行 {run}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>any trained model</source>
        <translation>任何已训练的模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no scores stored for {source} yet: document order</source>
        <translation>尚无{source}的得分：按文档顺序</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} in random order first (no trained model yet)</source>
        <translation>前 {n} 篇按随机顺序（尚无已训练的模型）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} ranked by {strategy} first (run {run})</source>
        <translation>前 {n} 篇按{strategy}排序（运行 {run}）</translation>
    </message>
</context>
<context>
    <name>EditCommands</name>
    <message>
        <location filename="../../mtl_studio/gui/commands.py" line="+80"/>
        <source>Add {label} “{text}”</source>
        <translation>添加 {label}“{text}”</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Remove {label} “{text}”</source>
        <translation>删除 {label}“{text}”</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Relabel “{text}” {old} → {new}</source>
        <translation>重新标注“{text}”：{old} → {new}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the span to relabel no longer exists</source>
        <translation>要重新标注的片段已不存在</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Set sentiment {label}</source>
        <translation>设置情感为 {label}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear sentiment</source>
        <translation>清除情感</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Polarity {polarity} for “{text}”</source>
        <translation>“{text}” 的极性设为 {polarity}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear the polarity of “{text}”</source>
        <translation>清除 “{text}” 的极性</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the entity no longer exists</source>
        <translation>该实体已不存在</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Clear {label_set}</source>
        <translation>清除 {label_set}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{label_set} + {label}</source>
        <translation>{label_set} + {label}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{label_set} − {label}</source>
        <translation>{label_set} − {label}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set {label_set} {labels}</source>
        <translation>将 {label_set} 设为 {labels}</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Mark NER done</source>
        <translation>标记 NER 已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mark NER not done</source>
        <translation>标记 NER 未完成</translation>
    </message>
    <message>
        <location line="+51"/>
        <location line="+90"/>
        <source>Delete {n} document(s)</source>
        <translation>删除 {n} 篇文档</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Re-split {ratios} (seed {seed})</source>
        <translation>重新划分 {ratios}（种子 {seed}）</translation>
    </message>
</context>
<context>
    <name>EngineText</name>
    <message>
        <location filename="../../mtl_studio/gui/engine_text.py" line="+20"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped early (no dev improvement)</source>
        <translation>已提前停止（验证集无提升）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uncertainty</source>
        <translation>不确定性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DWA</source>
        <translation>DWA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GradNorm</source>
        <translation>GradNorm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PCGrad</source>
        <translation>PCGrad</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic (GPU if available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+9"/>
        <source>NER</source>
        <translation>NER</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>entity sentiment</source>
        <translation>实体情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sentiment</source>
        <translation>情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MLM</source>
        <translation>MLM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>L2-SP</source>
        <translation>L2-SP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>total (weighted, smoothed)</source>
        <translation>总损失（加权，平滑）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Entity sentiment</source>
        <translation>实体情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sentiment</source>
        <translation>情感</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>train</source>
        <translation>训练集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dev</source>
        <translation>验证集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>GPU {index}</source>
        <translation>GPU {index}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{task} {metric} {value}</source>
        <translation>{task} {metric} {value}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (end to end F1 {})</source>
        <translation>(端到端 F1 {})</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Press Resume to continue it from its last checkpoint.</source>
        <translation>点击“继续”可从最近的检查点接着训练。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Press Resume to start it again from the beginning (no checkpoint was written yet).</source>
        <translation>点击“继续”将从头重新开始（尚未写入检查点）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>tag scheme {scheme} (detected); entities are stored as spans and exported as IOB2</source>
        <translation>标签方案 {scheme}（自动检测）；实体按片段保存，导出为 IOB2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>tag scheme {scheme} (as chosen); entities are stored as spans and exported as IOB2</source>
        <translation>标签方案 {scheme}（按所选）；实体按片段保存，导出为 IOB2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>one character per line: characters joined without spaces</source>
        <translation>每行一个字符：字符之间不加空格连接</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>entity types added to the project: {names}</source>
        <translation>已添加到项目的实体类型：{names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sentiment classes added to the project: {names}</source>
        <translation>已添加到项目的情感类别：{names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped reading after {n} errors</source>
        <translation>出现 {n} 个错误后停止读取</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>split rule {rule}: {parts}</source>
        <translation>划分规则 {rule}：{parts}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the seeded random split uses the project&apos;s split seed {seed}</source>
        <translation>带种子的随机划分使用项目的划分种子 {seed}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the file name says {split}, but no train* file lies beside it and the project had no training documents, so it was split 80/10/10 instead; the Split choice “by file name” puts it all in {split}</source>
        <translation>文件名表示{split}，但旁边没有 train* 文件，且项目中没有训练文档，因此改为按 80/10/10 划分；“划分”选项选择“按文件名”可将其全部放入{split}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{n} by the Split choice</source>
        <translation>{n} 篇按“划分”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} by the file&apos;s split field</source>
        <translation>{n} 篇按文件中的划分字段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} by the file name</source>
        <translation>{n} 篇按文件名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} by seeded random 80/10/10</source>
        <translation>{n} 篇按带种子的随机 80/10/10</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} all in train</source>
        <translation>{n} 篇全部放入训练集</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the file&apos;s split field</source>
        <translation>文件中的划分字段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>by file name</source>
        <translation>按文件名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seeded random 80/10/10</source>
        <translation>带种子的随机 80/10/10</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all train</source>
        <translation>全部训练集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one split for the whole file</source>
        <translation>整个文件一个划分</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>the “Add unknown entity types and sentiment classes to the schema” option</source>
        <translation>“将未知的实体类型和情感类别加入标签体系”选项</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the Split choice</source>
        <translation>“划分”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the Tag scheme choice</source>
        <translation>“标签方案”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the Format choice</source>
        <translation>“格式”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the Text column choice</source>
        <translation>“文本列”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the Sentiment column choice</source>
        <translation>“情感列”选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auxiliary MLM weight</source>
        <translation>辅助 MLM 权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the Resume button</source>
        <translation>“继续”按钮</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>the Resume button (Train tab)</source>
        <translation>“继续”按钮（训练标签页）</translation>
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <location filename="../../mtl_studio/gui/import_wizard.py" line="-281"/>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CoNLL / BIO / BMES (token or character per line), JSONL (own, doccano, Label Studio, SEntFiN), CSV / TSV / Excel, or plain text (one document per line). The format is detected; change it if the guess is wrong.</source>
        <translation>支持 CoNLL / BIO / BMES（每行一个词元或一个字）、JSONL（本软件格式、doccano、Label Studio、SEntFiN）、CSV / TSV / Excel，以及纯文本（每行一篇文档）。格式会自动识别；如果识别有误，请手动更改。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>File to import</source>
        <translation>要导入的文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+18"/>
        <source>Detect automatically</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Text column:</source>
        <translation>文本列：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sentiment column:</source>
        <translation>情感列：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Tag scheme:</source>
        <translation>标签方案：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Automatic: the file&apos;s split field, else its name if it is one of a set, else a seeded 80/10/10</source>
        <translation>自动：优先用文件中的划分字段；文件属于一组数据集时按文件名；否则按固定种子 80/10/10 划分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file&apos;s split field (seeded 80/10/10 where missing)</source>
        <translation>文件中的划分字段（缺失时按固定种子 80/10/10）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By file name (train*, dev*/valid*, test*)</source>
        <translation>按文件名（train*、dev*/valid*、test*）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seeded random 80/10/10</source>
        <translation>固定种子随机 80/10/10</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All in train</source>
        <translation>全部放入训练集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All in dev</source>
        <translation>全部放入验证集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All in test</source>
        <translation>全部放入测试集</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Split:</source>
        <translation>划分：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add unknown entity types and sentiment classes to the schema</source>
        <translation>将未知的实体类型和情感类别加入标签体系</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Skip documents whose text is already in the project</source>
        <translation>跳过文本已存在于项目中的文档</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Import file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data files (*.conll *.txt *.bio *.bmes *.tsv *.csv *.jsonl *.json *.xlsx);;All files (*)</source>
        <translation>数据文件 (*.conll *.txt *.bio *.bmes *.tsv *.csv *.jsonl *.json *.xlsx);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading the file…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No such file.</source>
        <translation>文件不存在。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Detected format: {fmt}</source>
        <translation>识别出的格式：{fmt}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(detect)</source>
        <translation>（自动识别）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(detect / none)</source>
        <translation>（自动识别 / 无）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot read the file: {error}</source>
        <translation>无法读取文件：{error}</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location line="+256"/>
        <source>Import documents</source>
        <translation>导入文档</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+11"/>
        <source>Next &gt;</source>
        <translation>下一步 &gt;</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>&lt; Back</source>
        <translation>&lt; 上一步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
</context>
<context>
    <name>LabelPalette</name>
    <message>
        <location filename="../../mtl_studio/gui/annotate_page.py" line="-164"/>
        <source>No entity types yet — add them in Edit › Label schema…</source>
        <translation>还没有实体类型——请在“编辑 › 标签体系…”中添加</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Assign {label} to the selection (key {key})</source>
        <translation>将所选内容标为 {label}（按键 {key}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assign {label} to the selection</source>
        <translation>将所选内容标为 {label}</translation>
    </message>
</context>
<context>
    <name>LanguageFitLabel</name>
    <message>
        <location filename="../../mtl_studio/gui/language_fit_view.py" line="+55"/>
        <source>Warning: {}</source>
        <translation>警告：{}</translation>
    </message>
</context>
<context>
    <name>LearningCurveDialog</name>
    <message>
        <location filename="../../mtl_studio/gui/learning_curve_view.py" line="+45"/>
        <source>Learning curve: will more labels help?</source>
        <translation>学习曲线：更多标注有用吗？</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Trains the current settings on 25%, 50%, 75% and 100% of the labelled training documents (nested subsets, same seed) and scores dev. A curve still rising at 100% says more labels pay.</source>
        <translation>用当前设置分别在 25%、50%、75% 和 100% 的已标注训练文档上训练（嵌套子集，相同种子）并在验证集上评分。若曲线在 100% 处仍在上升，说明继续标注是值得的。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dev score</source>
        <translation>验证集得分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>labelled training documents</source>
        <translation>已标注的训练文档</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Failed: {}</source>
        <translation>失败：{}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training the first subset…</source>
        <translation>正在训练第一个子集…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stopping after the current step…</source>
        <translation>将在当前步骤后停止…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Training on {pct} ({n} documents), step {step}/{total}</source>
        <translation>正在 {pct}（{n} 篇文档）上训练，第 {step}/{total} 步</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancelled after {n} of the subsets.</source>
        <translation>已在完成 {n} 个子集后取消。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done: {n} runs.</source>
        <translation>完成：{n} 次训练。</translation>
    </message>
</context>
<context>
    <name>LineChart</name>
    <message>
        <location filename="../../mtl_studio/gui/charts.py" line="+220"/>
        <source>No data yet</source>
        <translation>暂无数据</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../mtl_studio/gui/main_window.py" line="+112"/>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Annotate</source>
        <translation>标注</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Predictions</source>
        <translation>预测</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>This panel could not be loaded:
{error}</source>
        <translation>无法加载此面板：
{error}</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>&amp;New project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create an empty project</source>
        <translation>创建一个空项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a project file</source>
        <translation>打开项目文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the &amp;demo project</source>
        <translation>打开示例项目(&amp;D)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import documents and labels from a file</source>
        <translation>从文件导入文档和标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CoNLL (token per line)…</source>
        <translation>CoNLL（每行一个词元）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSONL (text, spans, sentiment)…</source>
        <translation>JSONL（文本、片段、情感）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CSV (text, sentiment, entities)…</source>
        <translation>CSV（文本、情感、实体）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export &amp;model…</source>
        <translation>导出模型(&amp;M)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the latest trained model as a folder (optionally ONNX)</source>
        <translation>将最近训练的模型保存为文件夹（可选 ONNX）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Label schema…</source>
        <translation>标签体系(&amp;L)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Previous document</source>
        <translation>上一篇文档(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous document in the list</source>
        <translation>列表中的上一篇文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Next document</source>
        <translation>下一篇文档(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next document in the list</source>
        <translation>列表中的下一篇文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next &amp;unlabelled document</source>
        <translation>下一篇未标注文档(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next document that still needs labels</source>
        <translation>下一篇仍需标注的文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Toggle NER &amp;done</source>
        <translation>切换 NER 已完成(&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark the document as annotated for NER (also with no entities)</source>
        <translation>将文档标记为已完成 NER 标注（没有实体时也适用）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Search documents</source>
        <translation>搜索文档(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Document list</source>
        <translation>文档列表(&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the &amp;source column</source>
        <translation>显示来源列(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Larger text</source>
        <translation>放大文字(&amp;L)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;maller text</source>
        <translation>缩小文字(&amp;M)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About MTL Studio</source>
        <translation>关于 MTL Studio(&amp;A)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open &amp;recent</source>
        <translation>最近的项目(&amp;R)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Export annotations</source>
        <translation>导出标注(&amp;E)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location line="+359"/>
        <source>Deleting documents failed</source>
        <translation>删除文档失败</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Deleting {n} documents…</source>
        <translation>正在删除 {n} 篇文档…</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Writing the change to the project…</source>
        <translation>正在把更改写入项目…</translation>
    </message>
    <message>
        <location line="+148"/>
        <location line="+8"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>The language changes the next time MTL Studio starts (a training run is going on now).</source>
        <translation>界面语言将在下次启动 MTL Studio 时更改（当前正在训练）。</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/app.py" line="+109"/>
        <location filename="../../mtl_studio/gui/main_window.py" line="-489"/>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Welcome! This is the demo project. File › New project starts your own; File › Import… brings in your data.</source>
        <translation>欢迎！这是示例项目。“文件 › 新建项目”可创建您自己的项目；“文件 › 导入…”可导入您的数据。</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/main_window.py" line="-193"/>
        <source>A small financial-news project to try the studio on</source>
        <translation>一个用来试用本软件的小型财经新闻项目</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Entity types, sentiment classes, entity sentiment and further label sets</source>
        <translation>实体类型、情感类别、实体情感和其他标签集</translation>
    </message>
    <message>
        <location line="+158"/>
        <source>{path} could not be opened:
{error}</source>
        <translation>无法打开 {path}：
{error}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Opened {name}</source>
        <translation>已打开 {name}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot create project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MTL Studio projects (*.mtl)</source>
        <translation>MTL Studio 项目 (*.mtl)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MTL Studio projects (*.mtl);;All files (*)</source>
        <translation>MTL Studio 项目 (*.mtl);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+5"/>
        <source>Demo project</source>
        <translation>示例项目</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>The demo project is not available in this installation.</source>
        <translation>此安装中没有示例项目。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The demo project could not be prepared:
{error}</source>
        <translation>无法准备示例项目：
{error}</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>No more documents in this direction.</source>
        <translation>这个方向上没有更多文档了。</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Saved: {what}</source>
        <translation>已保存：{what}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Saved: label schema</source>
        <translation>已保存：标签体系</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open or create a project first.</source>
        <translation>请先打开或创建一个项目。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Export annotations</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{fmt} files (*{suffix});;All files (*)</source>
        <translation>{fmt} 文件 (*{suffix});;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Exporting to {name}…</source>
        <translation>正在导出到 {name}…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Exported {n} documents to {name}</source>
        <translation>已将 {n} 篇文档导出到 {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+26"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+7"/>
        <source>Export model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Train a model first (Train tab).</source>
        <translation>请先训练一个模型（“训练”标签页）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export the model of run {id} into…</source>
        <translation>将运行 {id} 的模型导出到…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Also export an ONNX file (needs the onnx package)?</source>
        <translation>是否同时导出 ONNX 文件（需要 onnx 包）？</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Exporting the model…</source>
        <translation>正在导出模型…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model exported to {path}</source>
        <translation>模型已导出到 {path}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Training run {id} finished</source>
        <translation>训练运行 {id} 已结束</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Switching the language now rebuilds the window and empties the undo history ({n} steps; every edit stays saved). Switch now, or at the next start?</source>
        <translation>现在切换语言会重建窗口并清空撤销历史（{n} 步；所有编辑均已保存）。现在切换，还是下次启动时切换？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Switch now</source>
        <translation>现在切换</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the next start</source>
        <translation>下次启动时</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The language changes the next time MTL Studio starts.</source>
        <translation>语言将在下次启动 MTL Studio 时更改。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>About MTL Studio</source>
        <translation>关于 MTL Studio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;MTL Studio {version}&lt;/h3&gt;&lt;p&gt;Annotate entity spans and document sentiment, train one shared transformer encoder with two heads, read per-task scores, compare predictions and export the model.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MTL Studio {version}&lt;/h3&gt;&lt;p&gt;标注实体片段和文档情感，训练一个带两个输出头的共享 Transformer 编码器，查看各任务的得分，对比预测结果并导出模型。&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>no project</source>
        <translation>无项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{project} — MTL Studio</source>
        <translation>{project} — MTL Studio</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>{total} documents · NER labelled {ner} · sentiment labelled {sent}</source>
        <translation>共 {total} 篇文档 · NER 已标注 {ner} · 情感已标注 {sent}</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Training is running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the training run and quit?</source>
        <translation>停止训练并退出？</translation>
    </message>
    <message>
        <location line="-772"/>
        <source>&amp;Re-split…</source>
        <translation>重新划分(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the documents a new seeded train/dev/test split</source>
        <translation>按种子为文档重新划分训练/验证/测试集</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Delete selected documents</source>
        <translation>删除所选文档(&amp;D)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete the selected documents and their annotations (undoable)</source>
        <translation>删除所选文档及其标注（可撤销）</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>&amp;Data</source>
        <translation>数据(&amp;D)</translation>
    </message>
    <message>
        <location line="+254"/>
        <source>Every document in the list is labelled. Well done!</source>
        <translation>列表中的文档都已标注。干得好！</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Undone: {what}</source>
        <translation>已撤销：{what}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Undo: {what} ({keys})</source>
        <translation>撤销：{what}（{keys}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Redo: {what} ({keys})</source>
        <translation>重做：{what}（{keys}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing to redo</source>
        <translation>没有可重做的操作</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>Re-split failed</source>
        <translation>重新划分失败</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re-splitting the documents…</source>
        <translation>正在重新划分文档…</translation>
    </message>
</context>
<context>
    <name>MetricsModels</name>
    <message>
        <location filename="../../mtl_studio/gui/metrics_models.py" line="-276"/>
        <location line="+134"/>
        <source>micro avg</source>
        <translation>微平均</translation>
    </message>
    <message>
        <location line="-133"/>
        <location line="+11"/>
        <location line="+123"/>
        <source>macro avg</source>
        <translation>宏平均</translation>
    </message>
    <message>
        <location line="-122"/>
        <location line="+97"/>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+9"/>
        <source>micro F1</source>
        <translation>微平均 F1</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+4"/>
        <location line="+3"/>
        <source>macro F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>exact set match</source>
        <translation>完全匹配率</translation>
    </message>
    <message>
        <location line="+330"/>
        <source> (end to end {})</source>
        <translation>(端到端 {})</translation>
    </message>
</context>
<context>
    <name>ModelLoop</name>
    <message>
        <location filename="../../mtl_studio/gui/model_loop.py" line="+101"/>
        <source>Retrain after every</source>
        <translation>每新增</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train a new model in the background after this many new gold labels, then refresh the suggestions and the order</source>
        <translation>每新增这么多条人工标注后在后台训练新模型，然后刷新建议和排序</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> labels</source>
        <translation> 条标注后重新训练</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Most useful next</source>
        <translation>最值得标注</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&amp;Accept suggestion</source>
        <translation>接受建议(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make the selected suggestion gold</source>
        <translation>将选中的建议设为人工标注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;ject suggestion</source>
        <translation>拒绝建议(&amp;J)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject the selected suggestion (not shown again for this model)</source>
        <translation>拒绝选中的建议（此模型不再显示）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept a&amp;ll suggestions and mark done</source>
        <translation>接受全部建议并标记完成(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All suggestions of the document become gold</source>
        <translation>文档的全部建议都成为人工标注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Next suggestion</source>
        <translation>下一条建议(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Show model suggestions</source>
        <translation>显示模型建议(&amp;S)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use a model &amp;folder for suggestions…</source>
        <translation>使用模型文件夹提供建议(&amp;F)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suggest with an exported model instead of the latest run</source>
        <translation>用导出的模型而不是最近一次训练来提供建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning &amp;curve…</source>
        <translation>学习曲线(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Will more labels help? Train on growing shares of the labels</source>
        <translation>更多标注有用吗？在逐渐增多的标注上训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Model folder for suggestions</source>
        <translation>用于建议的模型文件夹</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Suggestions failed: {}</source>
        <translation>建议计算失败：{}</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>No suggestion to accept on this document.</source>
        <translation>此文档没有可接受的建议。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No suggestion to reject on this document.</source>
        <translation>此文档没有可拒绝的建议。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No suggestions for this document yet.</source>
        <translation>此文档暂时还没有建议。</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>No more documents in the “most useful next” order.</source>
        <translation>“最值得标注”顺序中没有更多文档了。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Auto-retrain: training a new model in the background</source>
        <translation>自动重新训练：正在后台训练新模型</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Auto-retrain on: {n}/{every} new labels</source>
        <translation>自动重新训练已开启：{n}/{every} 条新标注</translation>
    </message>
</context>
<context>
    <name>NextQueuePanel</name>
    <message>
        <location filename="../../mtl_studio/gui/next_queue.py" line="+93"/>
        <source>How to pick the most useful next document (see the manual)</source>
        <translation>如何挑选最值得标注的下一篇文档（见手册）</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+18"/>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Score the unlabelled documents with the latest model</source>
        <translation>用最新模型为未标注文档评分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>J / K / N follow this order</source>
        <translation>J / K / N 按此顺序</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Needs</source>
        <translation>待标注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Press Score to rank the unlabelled documents.</source>
        <translation>点击“评分”为未标注文档排序。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Scoring the unlabelled documents…</source>
        <translation>正在为未标注文档评分…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No trained model yet: random order.</source>
        <translation>还没有训练好的模型：随机顺序。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Scoring cancelled; the previous order stays.</source>
        <translation>评分已取消；保留之前的顺序。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Scoring failed: {}</source>
        <translation>评分失败：{}</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>run {}</source>
        <translation>训练 {}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} documents to label, by {strategy} ({source})</source>
        <translation>{n} 篇待标注文档，按{strategy}排序（{source}）</translation>
    </message>
</context>
<context>
    <name>PredictionDocumentsModel</name>
    <message>
        <location filename="../../mtl_studio/gui/predictions.py" line="+135"/>
        <source>The prediction differs from gold</source>
        <translation>预测与金标准不同</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The prediction matches gold</source>
        <translation>预测与金标准一致</translation>
    </message>
</context>
<context>
    <name>PredictionView</name>
    <message>
        <location line="-86"/>
        <source>Accept prediction of run {} as gold</source>
        <translation>采用运行 {} 的预测作为金标准</translation>
    </message>
    <message>
        <location line="+127"/>
        <source>Test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dev</source>
        <translation>验证集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only documents with errors</source>
        <translation>仅显示有错误的文档</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+19"/>
        <source>Gold</source>
        <translation>金标准</translation>
    </message>
    <message>
        <location line="-14"/>
        <location line="+159"/>
        <source>Prediction</source>
        <translation>预测</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Accept prediction as gold</source>
        <translation>采用预测作为金标准</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+50"/>
        <location line="+246"/>
        <location line="+67"/>
        <location line="+31"/>
        <source>correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <location line="-344"/>
        <source>false positive (predicted, not gold)</source>
        <translation>误报（预测有，金标准无）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>false negative (gold, missed)</source>
        <translation>漏报（金标准有，未预测出）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+245"/>
        <location line="+108"/>
        <source>wrong label</source>
        <translation>标签错误</translation>
    </message>
    <message>
        <location line="-351"/>
        <source>wrong polarity (right entity)</source>
        <translation>极性错误(实体正确)</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Run {} ({})</source>
        <translation>运行 {}（{}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prediction of run {}</source>
        <translation>运行 {} 的预测</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No run selected</source>
        <translation>未选择运行</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Select a finished run to compare its predictions with gold.</source>
        <translation>选择一个已完成的运行，将其预测与金标准对比。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Run {} stored no predictions for the {} split.</source>
        <translation>运行 {} 没有保存{}的预测。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{} of {} documents differ from gold</source>
        <translation>{} / {} 篇文档与金标准不同</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>document {}</source>
        <translation>文档 {}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot accept the prediction</source>
        <translation>无法采用该预测</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Document {} now has the prediction as gold.</source>
        <translation>文档 {} 现已采用预测作为金标准。</translation>
    </message>
    <message>
        <location line="+69"/>
        <location line="+108"/>
        <source>false positive</source>
        <translation>误报</translation>
    </message>
    <message>
        <location line="-107"/>
        <location line="+107"/>
        <source>false negative</source>
        <translation>漏报</translation>
    </message>
    <message>
        <location line="-106"/>
        <location line="+107"/>
        <source>wrong polarity</source>
        <translation>极性错误</translation>
    </message>
    <message>
        <location line="-99"/>
        <source> (score {})</source>
        <translation>（得分 {}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · polarity {}</source>
        <translation> · 极性 {}</translation>
    </message>
    <message>
        <location line="+42"/>
        <location line="+28"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="-27"/>
        <location line="+5"/>
        <source>Sentiment: &lt;b&gt;{}&lt;/b&gt;</source>
        <translation>情感：&lt;b&gt;{}&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Sentiment: not predicted by this run</source>
        <translation>情感：此运行未预测</translation>
    </message>
    <message>
        <location line="-43"/>
        <location line="+48"/>
        <source> (probability {})</source>
        <translation>（概率 {}）</translation>
    </message>
    <message>
        <location line="-360"/>
        <source>Replace this document&apos;s gold annotations of the run&apos;s tasks (entities, their polarity, sentiment, label sets) by the prediction (undoable)</source>
        <translation>用预测替换本文档中该运行所含任务的金标准标注(实体、其极性、情感、标签集)(可撤销)</translation>
    </message>
    <message>
        <location line="+363"/>
        <location line="+29"/>
        <source>no gold to compare</source>
        <translation>没有可对比的金标准</translation>
    </message>
    <message>
        <location line="-25"/>
        <location line="+27"/>
        <source>wrong: gold is {}</source>
        <translation>错误：金标准为 {}</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Sentiment: &lt;b&gt;{}&lt;/b&gt;{} — &lt;span style=&quot;color:{}&quot;&gt;{}&lt;/span&gt;</source>
        <translation>情感：&lt;b&gt;{}&lt;/b&gt;{} — &lt;span style=&quot;color:{}&quot;&gt;{}&lt;/span&gt;</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{}: &lt;b&gt;{}&lt;/b&gt;</source>
        <translation>{}:&lt;b&gt;{}&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{}: not predicted by this run</source>
        <translation>{}:本次运行未预测</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{}: &lt;b&gt;{}&lt;/b&gt; — &lt;span style=&quot;color:{}&quot;&gt;{}&lt;/span&gt;</source>
        <translation>{}:&lt;b&gt;{}&lt;/b&gt; — &lt;span style=&quot;color:{}&quot;&gt;{}&lt;/span&gt;</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{} · {}</source>
        <translation>{} · {}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>This document has no gold NER annotation; nothing to compare.</source>
        <translation>本文档没有金标准 NER 标注，无可对比。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{} entities right, {} differences; polarity right on {} of {} entities found</source>
        <translation>{} 个实体正确,{} 处差异;{} 个极性正确(共找到 {} 个实体)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{} entities right, {} differences</source>
        <translation>{} 个实体正确，{} 处差异</translation>
    </message>
    <message>
        <location line="-511"/>
        <source>Finished runs that stored predictions, newest first</source>
        <translation>已保存预测的已结束运行，最新的在前</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+179"/>
        <source>{id} · {tasks} · {status}</source>
        <translation>{id} · {tasks} · {status}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{id} (no stored predictions)</source>
        <translation>{id}（没有保存的预测）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No finished run with predictions yet</source>
        <translation>还没有带预测的已结束运行</translation>
    </message>
</context>
<context>
    <name>ResplitDialog</name>
    <message>
        <location filename="../../mtl_studio/gui/resplit_dialog.py" line="+21"/>
        <source>Re-split documents</source>
        <translation>重新划分文档</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Give the documents a new seeded train/dev/test split, balanced over the sentiment classes and NER labelling. Ctrl+Z moves them back.</source>
        <translation>按种子为文档重新划分训练/验证/测试集，并在情感类别和 NER 标注之间保持均衡。Ctrl+Z 可移回原处。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Shares of train/dev/test, e.g. 80/10/10 or 90/10/0</source>
        <translation>训练/验证/测试的比例，例如 80/10/10 或 90/10/0</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ratios (train/dev/test)</source>
        <translation>比例（训练/验证/测试）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only documents whose split no file or person chose ({n})</source>
        <translation>仅限划分不是由文件或人工指定的文档（{n}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Re-split</source>
        <translation>重新划分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <location filename="../../mtl_studio/gui/import_wizard.py" line="-92"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Imported {docs} documents ({ner} labelled for NER, {ents} entities, {sents} sentiment labels).</source>
        <translation>已导入 {docs} 篇文档（{ner} 篇有 NER 标注，{ents} 个实体，{sents} 个情感标签）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Imported {docs} documents from {name}</source>
        <translation>已从 {name} 导入 {docs} 篇文档</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Nothing was imported: {error}</source>
        <translation>未导入任何内容：{error}</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <location filename="../../mtl_studio/gui/results.py" line="+65"/>
        <source>Test split</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dev split (best epoch)</source>
        <translation>验证集（最佳轮次）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Which held-out split the scores are computed on</source>
        <translation>得分基于哪个留出集计算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No run selected.</source>
        <translation>未选择运行。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Scores on:</source>
        <translation>得分基于：</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Every training run of this project. Compare joint runs with the single-task baselines (train with Tasks: NER only / Sentiment only and the same settings).</source>
        <translation>本项目的所有训练运行。可将联合训练与单任务基线对比（用相同设置，任务选择“仅 NER”或“仅情感”进行训练）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run history</source>
        <translation>运行历史</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>NER: entity level (seqeval, strict IOB2)</source>
        <translation>NER：实体级（seqeval，严格 IOB2）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Which classification task the table and the confusion matrix show</source>
        <translation>表格和混淆矩阵显示哪个分类任务</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Task:</source>
        <translation>任务:</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+236"/>
        <source>Sentiment: per class</source>
        <translation>情感：按类别</translation>
    </message>
    <message>
        <location line="-224"/>
        <location line="+225"/>
        <source>Sentiment confusion matrix (rows: gold, columns: predicted)</source>
        <translation>情感混淆矩阵（行：金标准，列：预测）</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>No run selected. Train a model in the Train tab.</source>
        <translation>未选择运行。请在“训练”标签页中训练模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run {} · {} · tasks {} · strategy {} · split {}</source>
        <translation>运行 {} · {} · 任务 {} · 策略 {} · 划分 {}</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Entity sentiment end to end</source>
        <translation>实体情感（端到端）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Entity sentiment on gold spans: per class</source>
        <translation>基于金标准范围的实体情感:按类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entity sentiment confusion matrix (rows: gold, columns: predicted)</source>
        <translation>实体情感混淆矩阵(行:金标准,列:预测)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Entity sentiment end to end (span, type and polarity right): per polarity</source>
        <translation>实体情感端到端（片段、类型和极性都对）：按极性</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{}: per label (multi-label)</source>
        <translation>{}:按标签(多标签)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{}: per class</source>
        <translation>{}:按类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} confusion matrix (rows: gold, columns: predicted)</source>
        <translation>{} 混淆矩阵(行:金标准,列:预测)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No scores yet.</source>
        <translation>暂无得分。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This run did not train this task (single-task baseline).</source>
        <translation>此运行没有训练该任务（单任务基线）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No scores on this split for this run (no labelled documents in it, or the run did not finish).</source>
        <translation>此运行在该划分上没有得分（其中没有已标注的文档，或运行未完成）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No labelled documents for this task in this split.</source>
        <translation>该划分中没有此任务的已标注文档。</translation>
    </message>
</context>
<context>
    <name>RunHistoryModel</name>
    <message>
        <location filename="../../mtl_studio/gui/metrics_models.py" line="-55"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights
NER/Sent.</source>
        <translation>权重
NER/情感</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Weights
per task</source>
        <translation>各任务
权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other tasks
main score</source>
        <translation>其他任务
主要分数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>NER
micro F1</source>
        <translation>NER
微平均 F1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sent.
macro F1</source>
        <translation>情感
宏平均 F1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent.
accuracy</source>
        <translation>情感
准确率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Grad. cosine
(share &lt; 0)</source>
        <translation>梯度余弦
（&lt;0 占比）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>joint</source>
        <translation>联合</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>{task}: {metric} {value}</source>
        <translation>{task}:{metric} {value}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>; end to end (span, type and polarity right) F1 {}</source>
        <translation>;端到端(范围、类型和极性均正确)F1 {}</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>NER</source>
        <translation>NER</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Learning rate · batch size · epochs · encoder (each run&apos;s cell has them in full)</source>
        <translation>学习率 · 批大小 · 轮数 · 编码器（每次运行的单元格提示中有完整信息）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Settings</source>
        <translation>训练设置</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>sentiment</source>
        <translation>情感</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{} only (baseline)</source>
        <translation>仅{}（基线）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> + MLM {}</source>
        <translation> + MLM {}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (initial)</source>
        <translation>（初始）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Learning rate {lr} · batch size {batch} · epochs {epochs} · encoder {encoder}</source>
        <translation>学习率 {lr} · 批大小 {batch} · 轮数 {epochs} · 编码器 {encoder}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Mean cosine of the tasks&apos; gradients on the shared encoder over {} measurements; {}% of them negative (the tasks pulled in opposite directions)</source>
        <translation>{} 次测量中各任务在共享编码器上梯度余弦的平均值；其中 {}% 为负（任务朝相反方向拉动编码器）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Started {}</source>
        <translation>开始于 {}</translation>
    </message>
</context>
<context>
    <name>RunNotes</name>
    <message>
        <location filename="../../mtl_studio/gui/engine_text.py" line="-230"/>
        <source>max length {requested} exceeds what this encoder reads; using {used}</source>
        <translation>最大长度 {requested} 超过此编码器可读取的长度；改用 {used}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} document(s) are longer than {max_length} sub-word tokens: NER reads them in consecutive windows, sentiment reads the first {max_length} tokens</source>
        <translation>{n} 篇文档超过 {max_length} 个子词：NER 以连续窗口读取，情感只读取前 {max_length} 个子词</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} word(s) produce no sub-word token with this tokenizer (e.g. control or zero-width characters): they are read as O</source>
        <translation>{n} 个词在此分词器下不产生子词（如控制字符或零宽字符）：按 O 处理</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>silver labels (weight {weight}): {ner} NER and {sentiment} sentiment documents{more}</source>
        <translation>银标签（权重 {weight}）：{ner} 篇 NER 文档和 {sentiment} 篇情感文档{more}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no labelled dev documents: no early stopping, the last epoch is kept as best</source>
        <translation>没有已标注的验证集文档：不提前停止，最后一轮作为最佳模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NER left out: the project has no entity types</source>
        <translation>未训练 NER：项目没有实体类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sentiment left out: the project has no sentiment classes</source>
        <translation>未训练情感：项目没有情感类别</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>entity sentiment left out: the project has no polarities</source>
        <translation>未训练实体情感：项目没有极性</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{task} left out: the label set has no classes</source>
        <translation>未训练 {task}：该标签集没有类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{task} left out: no training document is labelled for it</source>
        <translation>未训练 {task}：没有为它标注的训练文档</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the project&apos;s labelled data changed since run {run} started: the resumed run will not equal an uninterrupted one</source>
        <translation>自运行 {run} 开始以来项目的标注数据已更改：继续的运行将不同于未中断的运行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>single-task run: strategy &apos;{strategy}&apos; needs two tasks; weight 1</source>
        <translation>单任务运行：策略“{strategy}”需要两个任务；权重为 1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>resuming run {run} at epoch {epoch}, step {step}</source>
        <translation>从第 {epoch} 轮、第 {step} 步继续运行 {run}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>run {run} has no checkpoint yet: starting it from the beginning</source>
        <translation>运行 {run} 还没有检查点：从头开始</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the weight of task {task} collapsed to {weight:.2e} (under 1/1000 of the largest): it barely trains; consider the fixed strategy</source>
        <translation>任务 {task} 的权重降到 {weight:.2e}（不到最大权重的 1/1000）：它几乎不再训练；可考虑固定权重策略</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the tasks pull the shared encoder in opposite directions (gradient cosine {mean:+.2f} over the last {n} measurements): try the PCGrad strategy or a lower weight for one task</source>
        <translation>各任务把共享编码器往相反方向拉（最近 {n} 次测量的梯度余弦 {mean:+.2f}）：可尝试 PCGrad 策略或降低某个任务的权重</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>early stopping after epoch {epoch}: no dev improvement for {patience} epoch(s); best epoch {best}</source>
        <translation>第 {epoch} 轮后提前停止：验证集已 {patience} 轮没有提升；最佳为第 {best} 轮</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>after epoch {epoch}, {task} has not improved on dev for {patience} epoch(s) (best {best:.4f}): it now trains toward its own predictions of its best epoch while the other tasks go on</source>
        <translation>第 {epoch} 轮后，{task} 在验证集上已 {patience} 轮没有提升（最佳 {best:.4f}）：此后它向自己最佳一轮的预测训练，其他任务继续学习</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>after epoch {epoch}, {task} beat its best dev score ({best:.4f}): it trains on its labels again</source>
        <translation>第 {epoch} 轮后，{task} 超过了自己在验证集上的最佳成绩（{best:.4f}）：它重新按自己的标注训练</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>averaging the weights of the best epochs: trying {n} average(s) on dev</source>
        <translation>正在对最佳几轮的权重取平均：在验证集上尝试 {n} 个平均模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the average of epochs {epochs} scores {score:.4f} on dev against {best:.4f} for epoch {best_epoch} alone: it is the run&apos;s model</source>
        <translation>第 {epochs} 轮权重的平均在验证集上得分 {score:.4f}，单独第 {best_epoch} 轮为 {best:.4f}：采用该平均作为本次运行的模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no average of the best epochs beat epoch {best_epoch} on dev ({best:.4f}): it stays the run&apos;s model</source>
        <translation>最佳几轮的任何平均在验证集上都未超过第 {best_epoch} 轮（{best:.4f}）：仍采用该轮作为本次运行的模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>evaluating the best model on dev and test</source>
        <translation>正在验证集和测试集上评估最佳模型</translation>
    </message>
</context>
<context>
    <name>ScatterChart</name>
    <message>
        <location filename="../../mtl_studio/gui/scatter_chart.py" line="+117"/>
        <source> · on the Pareto front</source>
        <translation> · 位于帕累托前沿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} (run {}){}
{} {} · {} {}</source>
        <translation>{}（运行 {}）{}
{} {} · {} {}</translation>
    </message>
    <message>
        <location line="+39"/>
        <location line="+5"/>
        <source>dev {}</source>
        <translation>验证集 {}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No finished sweep runs yet.</source>
        <translation>尚无已完成的扫描运行。</translation>
    </message>
    <message>
        <location line="+50"/>
        <location line="+4"/>
        <source>{} only</source>
        <translation>仅 {}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Task-weight sweep: dev scores and Pareto front</source>
        <translation>任务权重扫描：验证集分数与帕累托前沿</translation>
    </message>
</context>
<context>
    <name>SchemaDialog</name>
    <message>
        <location filename="../../mtl_studio/gui/schema_dialog.py" line="+56"/>
        <location line="+305"/>
        <source>Label schema</source>
        <translation>标签体系</translation>
    </message>
    <message>
        <location line="-288"/>
        <source>Entities and sentiment</source>
        <translation>实体和情感</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Entity types</source>
        <translation>实体类型</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+19"/>
        <location line="+40"/>
        <location line="+47"/>
        <source>Key</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="-106"/>
        <location line="+19"/>
        <location line="+40"/>
        <location line="+28"/>
        <location line="+19"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="-106"/>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spans (gold / silver / predicted)</source>
        <translation>片段（金标准 / 银标准 / 预测）</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+19"/>
        <location line="+40"/>
        <location line="+29"/>
        <location line="+18"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location line="-105"/>
        <location line="+19"/>
        <location line="+40"/>
        <location line="+30"/>
        <location line="+17"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="-104"/>
        <source>Colour…</source>
        <translation>颜色…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+17"/>
        <location line="+40"/>
        <location line="+31"/>
        <location line="+16"/>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location line="-98"/>
        <source>Sentiment classes</source>
        <translation>情感类别</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Documents (gold / silver / predicted)</source>
        <translation>文档（金标准 / 银标准 / 预测）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Entity sentiment</source>
        <translation>实体情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sentiment toward each entity: in the editor, select an entity and press its polarity key ({keys}); the key again clears it. Entities without a polarity are left out of this task&apos;s training.</source>
        <translation>对每个实体的情感:在编辑器中选中一个实体并按其极性键({keys});再按一次清除。没有极性的实体不参与此任务的训练。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Label the sentiment toward each entity</source>
        <translation>标注对每个实体的情感</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Entities</source>
        <translation>实体</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Document label sets</source>
        <translation>文档标签集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Further labels of whole documents besides sentiment (topic, urgency, intent…). A single-label set takes one class per document, a multi-label set any number (declare a class such as “other” for “none applies”). Their classes share the keys {keys}.</source>
        <translation>除情感之外的整篇文档标签(主题、紧急程度、意图……)。单标签集每篇文档取一个类别,多标签集可取任意多个(可声明如“other”的类别表示“都不适用”)。它们的类别共用按键 {keys}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Label sets</source>
        <translation>标签集</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents labelled</source>
        <translation>已标注文档</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Single / multi…</source>
        <translation>单标签 / 多标签…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Classes of the selected set</source>
        <translation>所选标签集的类别</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>multi-label</source>
        <translation>多标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>single-label</source>
        <translation>单标签</translation>
    </message>
    <message>
        <location line="+110"/>
        <location line="+21"/>
        <source>An entity type named “{name}” already exists.</source>
        <translation>名为“{name}”的实体类型已存在。</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+43"/>
        <source>Rename entity type</source>
        <translation>重命名实体类型</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Remove the entity type “{name}”?

{gold} gold, {silver} silver and {predicted} predicted spans of this type will be deleted. The documents stay labelled for NER and keep their other entities. This cannot be undone.</source>
        <translation>删除实体类型“{name}”？

该类型的 {gold} 个金标准、{silver} 个银标准和 {predicted} 个预测片段将被删除。文档仍保持已做 NER 标注，其他实体保留。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove entity type</source>
        <translation>删除实体类型</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add entity type</source>
        <translation>添加实体类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name (no spaces, e.g. PRODUCT):</source>
        <translation>名称（不含空格，例如 PRODUCT）：</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+73"/>
        <location line="+80"/>
        <location line="+155"/>
        <location line="+27"/>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <location line="-326"/>
        <source>Colour of {name}</source>
        <translation>{name} 的颜色</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+20"/>
        <source>A sentiment class named “{name}” already exists.</source>
        <translation>名为“{name}”的情感类别已存在。</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+38"/>
        <source>Rename sentiment class</source>
        <translation>重命名情感类别</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Remove the sentiment class “{name}”?

{gold} documents lose their gold sentiment and become unlabelled for sentiment; {silver} silver and {predicted} predicted labels are deleted. This cannot be undone.</source>
        <translation>删除情感类别“{name}”？

{gold} 篇文档将失去金标准情感，变为情感未标注；{silver} 个银标准和 {predicted} 个预测标签将被删除。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove sentiment class</source>
        <translation>删除情感类别</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add sentiment class</source>
        <translation>添加情感类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name (no spaces):</source>
        <translation>名称（不含空格）：</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Switch on entity sentiment</source>
        <translation>开启实体情感</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Switch off entity sentiment</source>
        <translation>关闭实体情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop labelling the sentiment toward each entity?

{n} entities lose their polarity (the entities themselves stay). This cannot be undone.</source>
        <translation>不再标注对每个实体的情感?

{n} 个实体将失去其极性(实体本身保留)。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+17"/>
        <source>A polarity named “{name}” already exists.</source>
        <translation>名为“{name}”的极性已存在。</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Add polarity {name}</source>
        <translation>添加极性 {name}</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+34"/>
        <source>Rename polarity</source>
        <translation>重命名极性</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Rename “{old}” to “{new}”? Its {n} entities take the new name.</source>
        <translation>将“{old}”重命名为“{new}”?它的 {n} 个实体将使用新名称。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Rename polarity {old} → {new}</source>
        <translation>重命名极性 {old} → {new}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Remove polarity</source>
        <translation>删除极性</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the polarity “{name}”?

{n} entities lose it and are unlabelled for entity sentiment (the entities stay). This cannot be undone.</source>
        <translation>删除极性“{name}”?

{n} 个实体将失去它,变为未标注实体情感(实体保留)。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Add polarity</source>
        <translation>添加极性</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name (no spaces, e.g. conflict):</source>
        <translation>名称(不含空格,例如 conflict):</translation>
    </message>
    <message>
        <location line="+41"/>
        <location line="+20"/>
        <source>A label set named “{name}” already exists.</source>
        <translation>名为“{name}”的标签集已存在。</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Add label set {name}</source>
        <translation>添加标签集 {name}</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+109"/>
        <source>Rename label set</source>
        <translation>重命名标签集</translation>
    </message>
    <message>
        <location line="-108"/>
        <source>Rename the label set “{old}” to “{new}”? Its labels on {n} documents are kept under the new name; a model trained before knows it by the old one.</source>
        <translation>将标签集“{old}”重命名为“{new}”?它在 {n} 篇文档上的标签以新名称保留;之前训练的模型仍以旧名称识别它。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Rename label set {old} → {new}</source>
        <translation>重命名标签集 {old} → {new}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Remove the label set “{name}” with its classes?

{labels} gold labels on {docs} documents are deleted (and its model suggestions). This cannot be undone.</source>
        <translation>删除标签集“{name}”及其类别?

{docs} 篇文档上的 {labels} 个金标准标签将被删除(以及其模型建议)。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove label set</source>
        <translation>删除标签集</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{name}: multi-label</source>
        <translation>{name}:多标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{name}: single-label</source>
        <translation>{name}:单标签</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+19"/>
        <source>{set} already has a class named “{name}”.</source>
        <translation>{set} 已有名为“{name}”的类别。</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Add class {name} to {set}</source>
        <translation>向 {set} 添加类别 {name}</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+74"/>
        <source>Rename class</source>
        <translation>重命名类别</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Rename “{old}” of {set} to “{new}”? Its {n} documents take the new name.</source>
        <translation>将 {set} 的“{old}”重命名为“{new}”?它的 {n} 篇文档将使用新名称。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Rename {set} class {old} → {new}</source>
        <translation>重命名 {set} 的类别 {old} → {new}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Remove class</source>
        <translation>删除类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the class “{name}” of {set}?

{n} documents lose this label (a document left with none of the set&apos;s labels becomes unlabelled for {set}). This cannot be undone.</source>
        <translation>删除 {set} 的类别“{name}”?

{n} 篇文档将失去此标签(不再有该集合任何标签的文档将变为未标注 {set})。此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+5"/>
        <location line="+3"/>
        <source>Add label set</source>
        <translation>添加标签集</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Name (no spaces, e.g. topic or urgency):</source>
        <translation>名称(不含空格,例如 topic 或 urgency):</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Single-label: one class per document</source>
        <translation>单标签:每篇文档一个类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Multi-label: any number of classes</source>
        <translation>多标签:任意多个类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind:</source>
        <translation>类型:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Classes, separated by commas (more can be added later):</source>
        <translation>类别,用逗号分隔(以后可以再添加):</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Add class</source>
        <translation>添加类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of the new class of {set}:</source>
        <translation>{set} 的新类别名称:</translation>
    </message>
    <message>
        <location line="-729"/>
        <source>Double-click to change the key</source>
        <translation>双击以更改按键</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Entity types have the number keys 1–9, sentiment classes Q, W, E…: double-click a key to change it. Changes are saved at once and can be undone (Ctrl+Z).</source>
        <translation>实体类型使用数字键 1–9，情感类别使用 Q、W、E…：双击按键即可更改。更改会立即保存，并可撤销（Ctrl+Z）。</translation>
    </message>
    <message>
        <location line="+260"/>
        <source>The key of “{name}” must be one of {keys}.</source>
        <translation>“{name}”的按键必须是 {keys} 之一。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Key {key} for {name}</source>
        <translation>{name} 的按键设为 {key}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Add entity type {name}</source>
        <translation>添加实体类型 {name}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rename “{old}” to “{new}”? Its {n} spans keep their places and take the new name.</source>
        <translation>将“{old}”重命名为“{new}”？其 {n} 个实体保持位置不变并使用新名称。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Rename entity type {old} → {new}</source>
        <translation>重命名实体类型 {old} → {new}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Recolour {name}</source>
        <translation>更改 {name} 的颜色</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Rename “{old}” to “{new}”? Its {n} labels take the new name.</source>
        <translation>将“{old}”重命名为“{new}”？其 {n} 个标签使用新名称。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Rename sentiment class {old} → {new}</source>
        <translation>重命名情感类别 {old} → {new}</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Add sentiment class {name}</source>
        <translation>添加情感类别 {name}</translation>
    </message>
</context>
<context>
    <name>ScoreTableModel</name>
    <message>
        <location filename="../../mtl_studio/gui/metrics_models.py" line="-280"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Support</source>
        <translation>样本数</translation>
    </message>
</context>
<context>
    <name>SentimentButtons</name>
    <message>
        <location filename="../../mtl_studio/gui/annotate_page.py" line="+25"/>
        <source>Document sentiment</source>
        <translation>文档情感</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sentiment:</source>
        <translation>情感：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Clear  ({key})</source>
        <translation>清除  ({key})</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove the document&apos;s sentiment (key {key})</source>
        <translation>移除文档的情感（按键 {key}）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Set the document&apos;s sentiment to {label} (key {key}; {clear} clears it)</source>
        <translation>将文档情感设为 {label}（按键 {key}；{clear} 清除）</translation>
    </message>
</context>
<context>
    <name>SentimentSuggestionLine</name>
    <message>
        <location filename="../../mtl_studio/gui/suggestion_layer.py" line="+165"/>
        <source>Suggested sentiment: &lt;b&gt;{label}&lt;/b&gt;{confidence}</source>
        <translation>建议的情感：&lt;b&gt;{label}&lt;/b&gt;{confidence}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} suggested entities (dashed)</source>
        <translation>{n} 个建议实体（虚线框）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A accept · Shift+X reject · S next suggestion · Shift+A accept all</source>
        <translation>A 接受 · Shift+X 拒绝 · S 下一条建议 · Shift+A 全部接受</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Computing suggestions…</source>
        <translation>正在计算建议…</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../mtl_studio/gui/shortcuts_dialog.py" line="+20"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Drag / click a word</source>
        <translation>拖动 / 点击词语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select words (snapped to whole tokens)</source>
        <translation>选择词语（自动对齐到完整词元）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shift+click</source>
        <translation>Shift+点击</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Extend the selection to the clicked word</source>
        <translation>将选择扩展到所点击的词语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>← / →</source>
        <translation>← / →</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select the previous / next token</source>
        <translation>选择上一个 / 下一个词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shift+→ / Shift+←</source>
        <translation>Shift+→ / Shift+←</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Grow / shrink the selection by one token</source>
        <translation>将选择扩大 / 缩小一个词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tab / Shift+Tab</source>
        <translation>Tab / Shift+Tab</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select the next / previous entity</source>
        <translation>选择下一个 / 上一个实体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 … 9</source>
        <translation>1 … 9</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Give the selection (or selected entity) the entity type</source>
        <translation>为所选内容（或所选实体）指定实体类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete / Backspace / 0</source>
        <translation>Delete / Backspace / 0</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Remove the selected entity</source>
        <translation>删除所选实体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Clear the selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Q W E R …</source>
        <translation>Q W E R …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>D</source>
        <translation>D</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark the document done for NER (also with no entities)</source>
        <translation>标记文档 NER 已完成（没有实体时也适用）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark done for NER and go to the next unlabelled document</source>
        <translation>标记 NER 已完成并转到下一篇未标注文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>J / K</source>
        <translation>J / K</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Next / previous document in the list</source>
        <translation>列表中的下一篇 / 上一篇文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Next unlabelled document</source>
        <translation>下一篇未标注文档</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shift+X</source>
        <translation>Shift+X</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Search documents</source>
        <translation>搜索文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+1 … Ctrl+4</source>
        <translation>Ctrl+1 … Ctrl+4</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Annotate / Train / Results / Predictions tab</source>
        <translation>“标注 / 训练 / 结果 / 预测”标签页</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Entity type {name}</source>
        <translation>实体类型 {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sentiment {name}</source>
        <translation>情感 {name}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Polarity {name} for the selected entity (again: clear it)</source>
        <translation>为所选实体设置极性 {name}(再按一次:清除)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Clear the selected entity&apos;s polarity</source>
        <translation>清除所选实体的极性</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add or remove {label} ({name})</source>
        <translation>添加或移除 {label}({name})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set {name} to {label}</source>
        <translation>将 {name} 设为 {label}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Clear the document&apos;s {name} labels</source>
        <translation>清除文档的 {name} 标签</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Set the document sentiment</source>
        <translation>设置文档情感</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the document sentiment</source>
        <translation>清除文档情感</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accept the selected model suggestion</source>
        <translation>接受选中的模型建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject the selected model suggestion</source>
        <translation>拒绝选中的模型建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select the next model suggestion</source>
        <translation>选择下一条模型建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shift+A</source>
        <translation>Shift+A</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accept all suggestions of the document and mark NER done</source>
        <translation>接受文档的全部建议并标记 NER 完成</translation>
    </message>
</context>
<context>
    <name>StoreFeedback</name>
    <message>
        <location filename="../../mtl_studio/gui/store_feedback.py" line="+22"/>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Waiting for another writer (an import) to finish… {s:.0f} s</source>
        <translation>正在等待另一个写入者（导入）完成… {s:.0f} 秒</translation>
    </message>
</context>
<context>
    <name>Strategies</name>
    <message>
        <location filename="../../mtl_studio/gui/strategy_names.py" line="+17"/>
        <source>MNLP</source>
        <translation>MNLP</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>margin</source>
        <translation>间隔</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncertainty (both tasks)</source>
        <translation>不确定性（两个任务）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncertainty (NER: {measure})</source>
        <translation>不确定性（NER：{measure}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>token entropy</source>
        <translation>词元熵</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncertainty (sentiment: {measure})</source>
        <translation>不确定性（情感：{measure}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Joint (both tasks, rank-combined)</source>
        <translation>联合（两个任务，按排名合并）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cross-task disagreement</source>
        <translation>跨任务分歧</translation>
    </message>
</context>
<context>
    <name>SuggestionCommands</name>
    <message>
        <location filename="../../mtl_studio/gui/suggestion_commands.py" line="+23"/>
        <source>Accept suggested {label} “{text}”</source>
        <translation>接受建议的 {label}“{text}”</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Accept suggested sentiment {label}</source>
        <translation>接受建议的情感 {label}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Reject suggested {label} “{text}”</source>
        <translation>拒绝建议的 {label}“{text}”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reject suggested sentiment {label}</source>
        <translation>拒绝建议的情感 {label}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Accept all suggestions of document {id}</source>
        <translation>接受文档 {id} 的全部建议</translation>
    </message>
</context>
<context>
    <name>SuggestionLayer</name>
    <message>
        <location filename="../../mtl_studio/gui/suggestion_layer.py" line="-65"/>
        <source>Suggested {label} (confidence {confidence}) from run {run}</source>
        <translation>建议 {label}(置信度 {confidence}),来自运行 {run}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Suggested polarity: {polarity}</source>
        <translation>建议极性:{polarity}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A accept · Shift+X reject · Shift+A accept all</source>
        <translation>A 接受 · Shift+X 拒绝 · Shift+A 全部接受</translation>
    </message>
</context>
<context>
    <name>SweepDialog</name>
    <message>
        <location filename="../../mtl_studio/gui/sweep_dialog.py" line="+45"/>
        <source>Sweep task weights</source>
        <translation>扫描任务权重</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Fixed-weight runs (w, 1 − w) at evenly spaced w between 0 and 1</source>
        <translation>在 0 到 1 之间等距取 w 的固定权重运行 (w, 1 − w)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Epochs per run</source>
        <translation>每次运行的轮数</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Steps per run</source>
        <translation>每次运行的步数</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Also train the single-task baselines (reference lines)</source>
        <translation>同时训练单任务基线（参考线）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Weight points</source>
        <translation>权重点数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Automatic strategies</source>
        <translation>自动策略</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Estimate time</source>
        <translation>估计时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Estimate: not measured yet (a few training steps).</source>
        <translation>估计：尚未测量（需要几个训练步）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start sweep</source>
        <translation>开始扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel sweep</source>
        <translation>取消扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop after the current step; finished runs stay</source>
        <translation>在当前步之后停止；已完成的运行会保留</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Step %v of %m</source>
        <translation>第 %v / %m 步</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export SVG…</source>
        <translation>导出 SVG…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>x:</source>
        <translation>x：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>y:</source>
        <translation>y：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Measuring the step time…</source>
        <translation>正在测量每步耗时…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the speed of finished runs on this machine</source>
        <translation>本机已完成运行的速度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a short probe run; the first steps are slow, so it errs high</source>
        <translation>一次简短的试运行；最初几步较慢，因此估计偏高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Estimate: about {} for {} runs ({} steps in all at {} s/step, plus evaluation; step time from {}).</source>
        <translation>估计：约 {}，共 {} 次运行（共 {} 步，每步 {} 秒，另加评估；步时来自{}）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No estimate: {}</source>
        <translation>无法估计：{}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{} · queued</source>
        <translation>{} · 排队中</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancelling after the current step; finished runs stay.</source>
        <translation>将在当前步之后取消；已完成的运行会保留。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{} · {}</source>
        <translation>{} · {}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run {} of {}: {}</source>
        <translation>第 {} / {} 次运行：{}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>not run (cancelled)</source>
        <translation>未运行（已取消）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sweep {} {}.</source>
        <translation>扫描 {} {}。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Export the plot</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Cancel the sweep?</source>
        <translation>取消扫描？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closing stops the sweep after the current step; finished runs stay. Close?</source>
        <translation>关闭会在当前步之后停止扫描；已完成的运行会保留。要关闭吗？</translation>
    </message>
</context>
<context>
    <name>TaskRows</name>
    <message>
        <location filename="../../mtl_studio/gui/annotate_page.py" line="+144"/>
        <source>Entity polarity:</source>
        <translation>实体极性:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Give the selected entity the polarity {label} (key {key}; again clears it)</source>
        <translation>为所选实体设置极性 {label}(键 {key};再按一次清除)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove the selected entity&apos;s polarity ({keys})</source>
        <translation>移除所选实体的极性({keys})</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>any of</source>
        <translation>任意多个</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one of</source>
        <translation>其中之一</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} ({kind}):</source>
        <translation>{name}({kind}):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add or remove the label {label} of {name} (key {key})</source>
        <translation>添加或移除 {name} 的标签 {label}(键 {key})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set {name} to {label} (key {key}; Shift+key clears it)</source>
        <translation>将 {name} 设为 {label}(键 {key};Shift+键 清除)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove the document&apos;s {name} labels ({keys})</source>
        <translation>移除文档的 {name} 标签({keys})</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <location filename="../../mtl_studio/gui/training.py" line="+195"/>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline default (all-MiniLM-L6-v2)</source>
        <translation>离线默认（all-MiniLM-L6-v2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hugging Face model name</source>
        <translation>Hugging Face 模型名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local folder</source>
        <translation>本地文件夹</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+579"/>
        <source>e.g. bert-base-cased</source>
        <translation>例如 bert-base-chinese</translation>
    </message>
    <message>
        <location line="-578"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name / folder</source>
        <translation>名称 / 文件夹</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Tasks and losses</source>
        <translation>任务与损失</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/engine_text.py" line="-96"/>
        <source>Fixed weights</source>
        <translation>固定权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncertainty (Kendall et al. 2018)</source>
        <translation>不确定性加权（Kendall 等，2018）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dynamic weight average (Liu et al. 2019)</source>
        <translation>动态权重平均（Liu 等，2019）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GradNorm (Chen et al. 2018)</source>
        <translation>GradNorm（Chen 等，2018）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PCGrad (Yu et al. 2020)</source>
        <translation>PCGrad（Yu 等，2020）</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/training.py" line="+21"/>
        <source>Auxiliary masked-token reconstruction on the shared encoder (0 = off)</source>
        <translation>在共享编码器上做辅助的掩码词元重建（0 = 关闭）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pull the encoder toward its pretrained weights (L2-SP; 0 = off)</source>
        <translation>将编码器拉向其预训练权重（L2-SP；0 = 关闭）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight of silver (pseudo) labels in training (0 = leave them out); never used in evaluation</source>
        <translation>银标准（伪）标签在训练中的权重（0 = 不使用）；评估时从不使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Also train single-task baselines</source>
        <translation>同时训练单任务基线</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auxiliary MLM weight</source>
        <translation>辅助 MLM 权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>L2-SP weight</source>
        <translation>L2-SP 权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Silver-label weight</source>
        <translation>银标准标签权重</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Optimisation</source>
        <translation>优化</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{}: {}, {}, {}</source>
        <translation>{}：{}, {}, {}</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/engine_text.py" line="+1"/>
        <source>MiniLM default</source>
        <translation>MiniLM 默认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Method</source>
        <translation>论文方法</translation>
    </message>
    <message>
        <location filename="../../mtl_studio/gui/training.py" line="+4"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start a training run with these settings (Ctrl+Return)</source>
        <translation>用这些设置开始训练 (Ctrl+Return)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop after the current optimizer step; the run keeps its checkpoint</source>
        <translation>在当前优化步骤之后停止；运行会保留检查点</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue the stopped run from its last checkpoint</source>
        <translation>从最后一个检查点继续已停止的运行</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Sweep task weights…</source>
        <translation>扫描任务权重…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train across task weights and see the Pareto front of the dev scores</source>
        <translation>在不同任务权重下训练，并查看验证集分数的帕累托前沿</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+83"/>
        <location line="+32"/>
        <source>No run yet.</source>
        <translation>尚无运行。</translation>
    </message>
    <message>
        <location line="-105"/>
        <location line="+594"/>
        <source>Step %v of %m</source>
        <translation>第 %v / %m 步</translation>
    </message>
    <message>
        <location line="-587"/>
        <location line="+3"/>
        <location line="+93"/>
        <location line="+1"/>
        <location line="+473"/>
        <location line="+1"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location line="-571"/>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Task weights</source>
        <translation>任务权重</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Messages and per-epoch scores of the run appear here.</source>
        <translation>运行的消息和每轮得分会显示在这里。</translation>
    </message>
    <message>
        <location line="+128"/>
        <source>, best epoch {} (weights of epochs {} averaged)</source>
        <translation>，最佳轮次 {}（第 {} 轮权重取平均）</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Train the {} head; a single checked task is a single-task baseline</source>
        <translation>训练 {} 头;只勾选一个任务即为单任务基线</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Weight of the {} loss in the total (fixed weights; the other strategies start from it)</source>
        <translation>{} 损失在总损失中的权重(固定权重;其他策略以它为起点)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Share of this task&apos;s weight in the sum of the trained tasks&apos; weights</source>
        <translation>该任务权重占所训练任务权重之和的比例</translation>
    </message>
    <message>
        <location line="+139"/>
        <source>{} GPUs (torchrun)</source>
        <translation>{} 块 GPU（torchrun）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Folder with config.json and a fast tokenizer</source>
        <translation>包含 config.json 和快速分词器的文件夹</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Choose an encoder folder</source>
        <translation>选择编码器文件夹</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The strategy learns the weights, starting from these; choose Fixed weights to set how much each task counts.</source>
        <translation>由策略学习权重，从这些值开始；选择“固定权重”可设定每个任务所占的分量。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>No project</source>
        <translation>无项目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open or create a project first.</source>
        <translation>请先打开或创建一个项目。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot train with these settings</source>
        <translation>无法用这些设置训练</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <location line="+4"/>
        <source>Encoder not found</source>
        <translation>找不到编码器</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Enter a Hugging Face model name or choose a local folder.</source>
        <translation>请输入 Hugging Face 模型名称或选择本地文件夹。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The folder {} does not exist.</source>
        <translation>文件夹 {} 不存在。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The folder {} is not a Hugging Face model folder (it has no config.json).</source>
        <translation>文件夹 {} 不是 Hugging Face 模型文件夹（其中没有 config.json）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Starting: {} · strategy {} · lr {} · batch {} · epochs {} · device {}</source>
        <translation>开始：{} · 策略 {} · 学习率 {} · 批大小 {} · 轮数 {} · 设备 {}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Single-task baseline: {} only, same settings.</source>
        <translation>单任务基线：仅 {}，设置相同。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Resuming run {}.</source>
        <translation>正在继续运行 {}。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Preparing data and loading the encoder…</source>
        <translation>正在准备数据并加载编码器…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Stopping after the current step…</source>
        <translation>将在当前步骤之后停止…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop requested.</source>
        <translation>已请求停止。</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Training run {}</source>
        <translation>训练运行 {}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run {} on {} ({}); training documents: {}; {} steps.</source>
        <translation>运行 {}，设备 {}（{}）；训练文档：{}；共 {} 步。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Epoch {} · {} samples/s · lr {} · ETA {}</source>
        <translation>第 {} 轮 · {} 样本/秒 · 学习率 {} · 预计剩余 {}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>NER micro F1 {}</source>
        <translation>NER 微平均 F1 {}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sentiment macro F1 {}</source>
        <translation>情感宏平均 F1 {}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>accuracy {}</source>
        <translation>准确率 {}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{}: {}</source>
        <translation>{}：{}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (best so far)</source>
        <translation>（目前最佳）</translation>
    </message>
    <message>
        <location line="-576"/>
        <source>, best epoch {}</source>
        <translation>，最佳轮次 {}</translation>
    </message>
    <message>
        <location line="-264"/>
        <source>After the joint run, train each checked task alone with the same encoder, seed and budget, so the run history shows whether joint training helped</source>
        <translation>联合运行之后,用相同的编码器、随机种子和训练预算分别单独训练每个勾选的任务,运行历史会显示联合训练是否有帮助</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tasks · weight</source>
        <translation>任务 · 权重</translation>
    </message>
    <message>
        <location line="+225"/>
        <source>Last run {} {}{}</source>
        <translation>上次运行 {} {}{}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run {} started {}: {} · strategy {} · lr {} · batch {} · epochs {} · device {}</source>
        <translation>运行 {} 开始于 {}：{} · 策略 {} · 学习率 {} · 批大小 {} · 轮数 {} · 设备 {}</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+1"/>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+597"/>
        <source>Epoch {} on {}</source>
        <translation>第 {} 轮，{}上</translation>
    </message>
    <message>
        <location line="-593"/>
        <source>Best model on test</source>
        <translation>最佳模型在测试集上</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run {} {}{}.</source>
        <translation>运行 {} {}{}。</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+625"/>
        <source>Run {} {}{}</source>
        <translation>运行 {} {}{}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run {} {}{}. {}</source>
        <translation>运行 {} {}{}。{}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> at step {} of {}</source>
        <translation>于第 {} 步（共 {} 步）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run {} {}{}{}.</source>
        <translation>运行 {} {}{}{}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The run failed; see the log for details.</source>
        <translation>运行失败；详情请查看日志。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training failed.</source>
        <translation>训练失败。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Stopped {} step(s) after the request.</source>
        <translation>在请求后 {} 步停止。</translation>
    </message>
    <message>
        <location line="-929"/>
        <source>Encoders by language…</source>
        <translation>按语言推荐的编码器…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suggested</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location line="+186"/>
        <source>Re-split…</source>
        <translation>重新划分…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the documents a new train/dev/test split (Data › Re-split…)</source>
        <translation>为文档重新划分训练/验证/测试集（数据 › 重新划分…）</translation>
    </message>
    <message>
        <location line="-130"/>
        <source>auto lr</source>
        <translation>自动学习率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>auto epochs</source>
        <translation>自动轮数</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+5"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What this run will train: set Epochs or Learning rate to a number to override the automatic budget</source>
        <translation>本次训练的预算：将“轮数”或“学习率”设为具体数值即可覆盖自动预算</translation>
    </message>
    <message>
        <location line="+464"/>
        <source>budget: not known yet ({})</source>
        <translation>预算：暂未知（{}）</translation>
    </message>
</context>
<context>
    <name>TrainingWorker</name>
    <message>
        <location filename="../../mtl_studio/gui/worker.py" line="+84"/>
        <source>Out of memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The device ran out of memory. Try a smaller batch size or a shorter maximum length.</source>
        <translation>设备内存不足。请尝试更小的批大小或更短的最大长度。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Encoder not found</source>
        <translation>找不到编码器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot train</source>
        <translation>无法训练</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File not found</source>
        <translation>找不到文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot train with these settings</source>
        <translation>无法用这些设置训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unexpected error ({}): {}</source>
        <translation>意外错误（{}）：{}</translation>
    </message>
</context>
<context>
    <name>VerdictLabel</name>
    <message>
        <location filename="../../mtl_studio/gui/verdict_label.py" line="+31"/>
        <source>{task} F1</source>
        <translation>{task} F1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{task} macro-F1</source>
        <translation>{task} 宏平均 F1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{task} micro-F1</source>
        <translation>{task} 微平均 F1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>95% CI {low} to {high}</source>
        <translation>95% 置信区间 {low} 至 {high}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CI {low} to {high}</source>
        <translation>置信区间 {low} 至 {high}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>raised {metric} by {difference} points ({ci})</source>
        <translation>使 {metric} 提高 {difference} 个百分点（{ci}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>lowered {metric} by {difference} points ({ci})</source>
        <translation>使 {metric} 降低 {difference} 个百分点（{ci}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>changed {metric} by {difference} ({ci}, not distinguishable from 0)</source>
        <translation>使 {metric} 变化 {difference}（{ci}，与 0 无显著差异）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No single-task baseline to compare with.</source>
        <translation>没有可比较的单任务基线。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{clauses} and {last}</source>
        <translation>{clauses}，并{last}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Joint training {clauses}.</source>
        <translation>联合训练{clauses}。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Comparing with the single-task baselines…</source>
        <translation>正在与单任务基线比较…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source> (the labelled data changed since: scored on today&apos;s labels)</source>
        <translation>（此后标注数据已更改：按当前标注计分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{} Paired bootstrap over {} {} documents.{}</source>
        <translation>{} 基于 {} 篇 {} 文档的配对自助法。{}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{}: joint {} vs baseline {} (run {})</source>
        <translation>{}：联合 {}，基线 {}（运行 {}）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No verdict: {}</source>
        <translation>无结论：{}</translation>
    </message>
</context>
</TS>
