<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>@default</name>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>PyTorch runs the neural network.</source>
        <translation>PyTorch exécute le réseau de neurones.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Transformers provides the language model that writes the caption.</source>
        <translation>Transformers fournit le modèle de langage qui rédige la description.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Segment Anything provides the image encoder and the mask decoder.</source>
        <translation>Segment Anything fournit l’encodeur d’image et le décodeur de masques.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Rasterio reads windows of raster files through GDAL.</source>
        <translation>Rasterio lit des fenêtres des fichiers raster via GDAL.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="47"/>
        <source>Shapely turns the masks into polygons.</source>
        <translation>Shapely transforme les masques en polygones.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="174"/>
        <source>CLV-Net needs more Python packages</source>
        <translation>CLV-Net a besoin d’autres paquets Python</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>CLV-Net cannot run its model because these Python packages are missing:</source>
        <translation>CLV-Net ne peut pas exécuter son modèle car ces paquets Python manquent :</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>Install them into a folder the plugin manages, outside the plugin folder:</source>
        <translation>Installez-les dans un dossier géré par l’extension, hors du dossier de l’extension :</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>QGIS keeps its own numpy; the rest of QGIS is not changed.</source>
        <translation>QGIS garde son propre numpy ; le reste de QGIS n’est pas modifié.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="180"/>
        <source>This command does it for the Python of this QGIS:</source>
        <translation>Cette commande le fait pour le Python de ce QGIS :</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="201"/>
        <source>pip&apos;s output appears here.</source>
        <translation>La sortie de pip s’affiche ici.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="202"/>
        <source>Packages for a GPU are large (several GB); the download can take a while.</source>
        <translation>Les paquets pour GPU sont volumineux (plusieurs Go) ; le téléchargement peut prendre du temps.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="208"/>
        <source>Install</source>
        <translation>Installer</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="211"/>
        <source>Not now</source>
        <translation>Pas maintenant</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="225"/>
        <source>Installing... QGIS stays usable meanwhile.</source>
        <translation>Installation… QGIS reste utilisable pendant ce temps.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="251"/>
        <source>Could not start {python}; run the command above in a terminal.</source>
        <translation>Impossible de lancer {python} ; exécutez la commande ci-dessus dans un terminal.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="263"/>
        <source>Installed. Draw a box again to use CLV-Net.</source>
        <translation>Installé. Tracez de nouveau une boîte pour utiliser CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="264"/>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/dependencies.py" line="269"/>
        <source>pip failed (exit code {code}); see its output above.</source>
        <translation>pip a échoué (code de sortie {code}) ; voir sa sortie ci-dessus.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="69"/>
        <source>The export file &apos;{path}&apos; must end in .gpkg, .shp or .geojson.</source>
        <translation>Le fichier d’export « {path} » doit se terminer par .gpkg, .shp ou .geojson.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="261"/>
        <source>There are no CLV-Net results to export yet.</source>
        <translation>Il n’y a pas encore de résultats CLV-Net à exporter.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="105"/>
        <source>Cannot write to &apos;{folder}&apos;: the folder is missing or not writable.</source>
        <translation>Impossible d’écrire dans « {folder} » : le dossier n’existe pas ou n’est pas accessible en écriture.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="141"/>
        <source>Cannot write &apos;{path}&apos;: {reason}</source>
        <translation>Impossible d’écrire « {path} » : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="146"/>
        <source>Shapefile text is limited to 254 characters: {n} &apos;{field}&apos; values of {layer} were cut.</source>
        <translation>Le texte d’un Shapefile est limité à 254 caractères : {n} valeurs de « {field} » de {layer} ont été tronquées.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="159"/>
        <source>Shapefile field names have at most 10 characters: &apos;{name}&apos; becomes &apos;{short}&apos;.</source>
        <translation>Les noms de champ d’un Shapefile ont au plus 10 caractères : « {name} » devient « {short} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="172"/>
        <source>Export CLV-Net results</source>
        <translation>Exporter les résultats CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="175"/>
        <source>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</source>
        <translation>GeoPackage (*.gpkg);;ESRI Shapefile (*.shp);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="184"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/export.py" line="185"/>
        <source>CRS</source>
        <translation>SCR</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="87"/>
        <source>Add a raster layer and choose it in the CLV-Net panel first.</source>
        <translation>Ajoutez d’abord une couche raster et choisissez-la dans le panneau CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="90"/>
        <source>&apos;{name}&apos; is not a raster layer; choose a raster layer in the CLV-Net panel.</source>
        <translation>« {name} » n’est pas une couche raster ; choisissez une couche raster dans le panneau CLV-Net.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="114"/>
        <source>Drag a box over the raster; a click alone does not make one.</source>
        <translation>Faites glisser une boîte sur le raster ; un simple clic n’en crée pas.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="122"/>
        <source>The box cannot be transformed to the CRS of &apos;{name}&apos;.</source>
        <translation>La boîte ne peut pas être transformée dans le SCR de « {name} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/map_tool.py" line="129"/>
        <source>The box lies outside the raster &apos;{name}&apos;.</source>
        <translation>La boîte est en dehors du raster « {name} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="110"/>
        <source>CLV-Net</source>
        <translation>CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="118"/>
        <source>The raster layer the box tool reads</source>
        <translation>La couche raster lue par l’outil boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="138"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="152"/>
        <source>Pick the box tool and drag a box over the raster.</source>
        <translation>Prenez l’outil boîte et faites glisser une boîte sur le raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="82"/>
        <source>Raster layer</source>
        <translation>Couche raster</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="167"/>
        <source>Caption</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="122"/>
        <source>Relations</source>
        <translation>Relations</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="171"/>
        <source>Boxes of this session</source>
        <translation>Boîtes de cette session</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="194"/>
        <source>Model {model} loaded on {device} (checkpoint {checkpoint}).</source>
        <translation>Modèle {model} chargé sur {device} (point de contrôle {checkpoint}).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="198"/>
        <source>Loading the model (checkpoint {checkpoint})...</source>
        <translation>Chargement du modèle (point de contrôle {checkpoint})…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="58"/>
        <source>bundled default</source>
        <translation>par défaut intégré</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="202"/>
        <source>Model not loaded yet (checkpoint {checkpoint}, device {device}); it loads on first use.</source>
        <translation>Modèle pas encore chargé (point de contrôle {checkpoint}, périphérique {device}) ; il se charge à la première utilisation.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="250"/>
        <source>{subject} - {predicate} - {object} ({score:.2f})</source>
        <translation>{subject} - {predicate} - {object} ({score:.2f})</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/panel.py" line="250"/>
        <source>object {n}</source>
        <translation>objet {n}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="150"/>
        <source>QGIS could not draw the layer &apos;{name}&apos;: {reason}</source>
        <translation>QGIS n’a pas pu dessiner la couche « {name} » : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/pixels.py" line="166"/>
        <source>The layer &apos;{name}&apos; shows nothing in this box.</source>
        <translation>La couche « {name} » n’affiche rien dans cette boîte.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="67"/>
        <source>Describe a box</source>
        <translation>Décrire une boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="70"/>
        <source>Drag a box on a raster to caption and segment it</source>
        <translation>Faites glisser une boîte sur un raster pour la décrire et la segmenter</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="71"/>
        <source>Results panel</source>
        <translation>Panneau des résultats</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="77"/>
        <source>Remove the last result</source>
        <translation>Supprimer le dernier résultat</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="82"/>
        <source>Export results...</source>
        <translation>Exporter les résultats…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="87"/>
        <source>Settings...</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="90"/>
        <source>Help</source>
        <translation>Aide</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="175"/>
        <source>CLV-Net needs the Python packages listed in the dialog; QGIS works as before.</source>
        <translation>CLV-Net a besoin des paquets Python listés dans la boîte de dialogue ; QGIS fonctionne comme avant.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="204"/>
        <source>Waiting for the model...</source>
        <translation>En attente du modèle…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="212"/>
        <source>The layer &apos;{name}&apos; was removed; its result was not added.</source>
        <translation>La couche « {name} » a été supprimée ; son résultat n’a pas été ajouté.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="226"/>
        <source>Results are in temporary memory layers of the &apos;CLV-Net&apos; group; export or save them to keep them.</source>
        <translation>Les résultats sont dans des couches temporaires en mémoire du groupe « CLV-Net » ; exportez-les ou enregistrez-les pour les conserver.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="234"/>
        <source>The model described the box but found no object polygon in it.</source>
        <translation>Le modèle a décrit la boîte mais n’y a trouvé aucun polygone d’objet.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="244"/>
        <source>The request was cancelled.</source>
        <translation>La requête a été annulée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="253"/>
        <source>There is no CLV-Net result to remove.</source>
        <translation>Il n’y a aucun résultat CLV-Net à supprimer.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="256"/>
        <source>Removed box #{box_id}.</source>
        <translation>Boîte n°{box_id} supprimée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="270"/>
        <source>Exported to {path}.</source>
        <translation>Exporté vers {path}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="289"/>
        <source>Choose a raster layer in the CLV-Net panel, pick the box tool and drag a box. CLV-Net writes a caption of the box in its surroundings, draws one polygon per object the caption names and lists the relations between them.</source>
        <translation>Choisissez une couche raster dans le panneau CLV-Net, prenez l’outil boîte et faites glisser une boîte. CLV-Net rédige une description de la boîte dans son environnement, dessine un polygone par objet nommé dans la description et liste les relations entre eux.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="294"/>
        <source>Esc or a right click cancels a box. Results go to memory layers in the &apos;CLV-Net&apos; group; export them as GeoPackage, Shapefile or GeoJSON. The Processing toolbox has the same model for many boxes at once.</source>
        <translation>Échap ou un clic droit annule une boîte. Les résultats vont dans des couches en mémoire du groupe « CLV-Net » ; exportez-les en GeoPackage, Shapefile ou GeoJSON. La boîte à outils de traitements offre le même modèle pour de nombreuses boîtes à la fois.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/plugin.py" line="301"/>
        <source>CLV-Net help</source>
        <translation>Aide de CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="33"/>
        <source>CLV-Net settings</source>
        <translation>Paramètres de CLV-Net</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="38"/>
        <source>bundled default model</source>
        <translation>modèle intégré par défaut</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="39"/>
        <source>A checkpoint folder (config.json, model.safetensors, tokenizer.json)</source>
        <translation>Un dossier de point de contrôle (config.json, model.safetensors, tokenizer.json)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="54"/>
        <source>Automatic</source>
        <translation>Automatique</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="44"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="56"/>
        <source>Half precision is used on a GPU only</source>
        <translation>La demi-précision n’est utilisée que sur un GPU</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="62"/>
        <source>Margin around the box, as a fraction of its longer side</source>
        <translation>Marge autour de la boîte, en fraction de son plus grand côté</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="67"/>
        <source> tokens</source>
        <translation> jetons</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="79"/>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="73"/>
        <source>Polygon parts smaller than this are dropped</source>
        <translation>Les parties de polygone plus petites sont supprimées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>R</source>
        <translation>R</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>G</source>
        <translation>V</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="83"/>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="93"/>
        <source>Raster CRS</source>
        <translation>SCR du raster</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="101"/>
        <source>Checkpoint folder</source>
        <translation>Dossier du point de contrôle</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="94"/>
        <source>Device</source>
        <translation>Périphérique</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="103"/>
        <source>Precision</source>
        <translation>Précision</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="104"/>
        <source>Context margin</source>
        <translation>Marge de contexte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="105"/>
        <source>Maximum caption length</source>
        <translation>Longueur maximale de la description</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="106"/>
        <source>Minimum object area</source>
        <translation>Surface minimale d’un objet</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="107"/>
        <source>Simplification tolerance</source>
        <translation>Tolérance de simplification</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="108"/>
        <source>RGB bands</source>
        <translation>Bandes RVB</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/settings_dialog.py" line="109"/>
        <source>Output CRS</source>
        <translation>SCR de sortie</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="97"/>
        <source>Loading the model...</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="99"/>
        <source>The model is not loaded.</source>
        <translation>Le modèle n’est pas chargé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="101"/>
        <source>Reading the pixels...</source>
        <translation>Lecture des pixels…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="105"/>
        <source>Describing the box...</source>
        <translation>Description de la boîte…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="123"/>
        <source>CLV-Net failed: {error}. Details are in the QGIS log.</source>
        <translation>CLV-Net a échoué : {error}. Les détails sont dans le journal de QGIS.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="159"/>
        <source>Could not load the checkpoint {name}: {reason}</source>
        <translation>Impossible de charger le point de contrôle {name} : {reason}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="185"/>
        <source>The device {device} is not available here; CLV-Net uses the CPU.</source>
        <translation>Le périphérique {device} n’est pas disponible ici ; CLV-Net utilise le CPU.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="201"/>
        <source>The Python package &apos;{name}&apos; that the model needs cannot be imported; use the CLV-Net box tool again to install it.</source>
        <translation>Le paquet Python « {name} » dont le modèle a besoin ne peut pas être importé ; utilisez de nouveau l’outil boîte de CLV-Net pour l’installer.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="333"/>
        <source>The model {name} stays loaded.</source>
        <translation>Le modèle {name} reste chargé.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/worker.py" line="377"/>
        <source>The layer &apos;{name}&apos; was removed while CLV-Net worked on it; its request was cancelled.</source>
        <translation>La couche « {name} » a été supprimée pendant que CLV-Net la traitait ; sa requête a été annulée.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="76"/>
        <source>clvnet,segmentation,caption,grounded,describe,relations,ai,deep learning,sam</source>
        <translation>clvnet,segmentation,description,ancrage,décrire,relations,ia,apprentissage profond,sam</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="86"/>
        <source>Checkpoint folder (empty: the bundled model)</source>
        <translation>Dossier du point de contrôle (vide : le modèle intégré)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="103"/>
        <source>Context margin (fraction of the box&apos;s longer side)</source>
        <translation>Marge de contexte (fraction du plus grand côté de la boîte)</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="115"/>
        <source>Objects</source>
        <translation>Objets</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="131"/>
        <source>Boxes with captions</source>
        <translation>Boîtes avec descriptions</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Boxes described</source>
        <translation>Boîtes décrites</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Boxes skipped</source>
        <translation>Boîtes ignorées</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="140"/>
        <source>Objects found</source>
        <translation>Objets trouvés</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="194"/>
        <source>Shapefile output: texts longer than 254 bytes were truncated; use a GeoPackage to keep them whole.</source>
        <translation>Sortie Shapefile : les textes de plus de 254 octets ont été tronqués ; utilisez un GeoPackage pour les garder entiers.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="200"/>
        <source>{0} boxes described, {1} skipped, {2} objects found.</source>
        <translation>{0} boîtes décrites, {1} ignorées, {2} objets trouvés.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="206"/>
        <source>None of the {0} boxes could be described on the raster layer &apos;{1}&apos;; check that they overlap it (and the box layer&apos;s CRS).</source>
        <translation>Aucune des {0} boîtes n’a pu être décrite sur la couche raster « {1} » ; vérifiez qu’elles la recouvrent (et le SCR de la couche de boîtes).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="290"/>
        <source>Loading the CLV-Net model…</source>
        <translation>Chargement du modèle CLV-Net…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="295"/>
        <source>CUDA is not available here; running on the CPU.</source>
        <translation>CUDA n’est pas disponible ici ; exécution sur le CPU.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="299"/>
        <source>CLV-Net needs the Python packages torch, transformers, segment_anything and rasterio in QGIS&apos;s Python ({0}); install them with the plugin&apos;s dependency dialog, or add the folder that holds them to PYTHONPATH.</source>
        <translation>CLV-Net a besoin des paquets Python torch, transformers, segment_anything et rasterio dans le Python de QGIS ({0}) ; installez-les avec la boîte de dialogue des dépendances de l’extension, ou ajoutez le dossier qui les contient à PYTHONPATH.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="308"/>
        <source>Model {0} ({1}) on {2}.</source>
        <translation>Modèle {0} ({1}) sur {2}.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="313"/>
        <source>Describing boxes…</source>
        <translation>Description des boîtes…</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/common.py" line="319"/>
        <source>Box {0}: {1}</source>
        <translation>Boîte {0} : {1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/prompts.py" line="34"/>
        <source>Box {0} skipped: {1}</source>
        <translation>Boîte {0} ignorée : {1}</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/provider.py" line="28"/>
        <source>CLV-Net grounded captions and segmentation</source>
        <translation>CLV-Net : descriptions ancrées et segmentation</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="41"/>
        <source>Segment and describe boxes</source>
        <translation>Segmenter et décrire des boîtes</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="45"/>
        <source>Runs CLV-Net on the extent of every feature of a box layer: for each box it writes a grounded caption, one polygon per grounded phrase and the relations between those objects.

Boxes in another CRS than the raster&apos;s are reprojected; boxes outside the raster, and empty geometries, are skipped and counted in the log. ID field: a field of the box layer copied to every output, to join results back to the boxes.

Checkpoint: a CLV-Net checkpoint folder (empty: the bundled model). Device: auto uses a GPU when one is available. Context margin: how much of the surroundings the model sees around each box, as a fraction of its longer side.</source>
        <translation>Exécute CLV-Net sur l’emprise de chaque entité d’une couche de boîtes : pour chaque boîte, il rédige une description ancrée, un polygone par expression ancrée et les relations entre ces objets.

Les boîtes dans un autre SCR que celui du raster sont reprojetées ; les boîtes hors du raster et les géométries vides sont ignorées et comptées dans le journal. Champ identifiant : un champ de la couche de boîtes copié dans chaque sortie, pour joindre les résultats aux boîtes.

Point de contrôle : un dossier de point de contrôle CLV-Net (vide : le modèle intégré). Périphérique : auto utilise un GPU s’il y en a un. Marge de contexte : la part de l’environnement que le modèle voit autour de chaque boîte, en fraction de son plus grand côté.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="60"/>
        <source>Box layer</source>
        <translation>Couche de boîtes</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="67"/>
        <source>ID field to carry to the outputs</source>
        <translation>Champ identifiant à reporter dans les sorties</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="91"/>
        <source>The box layer has no field named &apos;{0}&apos;.</source>
        <translation>La couche de boîtes n’a pas de champ nommé « {0} ».</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="98"/>
        <source>The box layer has no features: there is nothing to describe.</source>
        <translation>La couche de boîtes n’a aucune entité : il n’y a rien à décrire.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="118"/>
        <source>The box layer or the raster has no CRS: box coordinates are taken as raster coordinates.</source>
        <translation>La couche de boîtes ou le raster n’a pas de SCR : les coordonnées des boîtes sont prises comme coordonnées du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="140"/>
        <source>the feature has no geometry.</source>
        <translation>l’entité n’a pas de géométrie.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="151"/>
        <source>it cannot be transformed to the raster&apos;s CRS.</source>
        <translation>elle ne peut pas être transformée dans le SCR du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="158"/>
        <source>its extent has no area (a point or a straight line).</source>
        <translation>son emprise n’a pas de surface (un point ou une ligne droite).</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_boxes.py" line="164"/>
        <source>it lies outside the raster.</source>
        <translation>elle est en dehors du raster.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="31"/>
        <source>Segment and describe extent</source>
        <translation>Segmenter et décrire une emprise</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="35"/>
        <source>Runs CLV-Net on one extent of a raster: writes its grounded caption, one polygon per grounded phrase and the relations between those objects (box_id 1).

The extent may be in any CRS (e.g. &apos;xmin,xmax,ymin,ymax [EPSG:4326]&apos;); without one it is taken in the project&apos;s CRS, or the raster&apos;s when there is no project.</source>
        <translation>Exécute CLV-Net sur une emprise d’un raster : rédige sa description ancrée, un polygone par expression ancrée et les relations entre ces objets (box_id 1).

L’emprise peut être dans n’importe quel SCR (par ex. 'xmin,xmax,ymin,ymax [EPSG:4326]') ; sans SCR, elle est prise dans celui du projet, ou dans celui du raster s’il n’y a pas de projet.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="45"/>
        <source>Box extent</source>
        <translation>Emprise de la boîte</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="63"/>
        <source>The extent has no area.</source>
        <translation>L’emprise n’a pas de surface.</translation>
    </message>
    <message>
        <location filename="../clvnet_qgis/processing/segment_extent.py" line="65"/>
        <source>The extent does not overlap the raster layer &apos;{0}&apos;.</source>
        <translation>L’emprise ne recouvre pas la couche raster « {0} ».</translation>
    </message>
</context>
</TS>
